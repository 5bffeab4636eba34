using Atmos.Plugins.Contracts;
using Atmos.Plugins.Contracts.Safety;

namespace Atmos.Plugins.TestPlugins;

/// <summary>
/// A provider whose whole session is one token file in its folder, parsed with a third-party library that the plugin
/// carries itself. The step's note names the library version the plugin actually ran with, so a test can tell whether
/// the plugin got its own copy or the host's.
/// </summary>
public abstract class TokenFilePlugin : InertPlugin
{
    /// <summary>The token file's name in the provider folder.</summary>
    protected abstract string FileName { get; }

    /// <summary>The library and the version of it that is loaded, such as "YamlDotNet 16.0.0.0".</summary>
    protected abstract string Library { get; }

    /// <summary>Parses the token file with the library and returns its account field.</summary>
    protected abstract string Account(string text);

    public override IReadOnlyList<FileStep> Plan(PlanRequest request)
    {
        var steps = new List<FileStep>();
        foreach (var provider in request.Providers)
        {
            var file = Path.Join(provider.Folder, FileName);
            if (File.Exists(file))
            {
                steps.Add(new FileStep
                {
                    Action = "remove-token",
                    Principals = [provider.Name],
                    Target = file,
                    Paths = [file],
                    Note = $"{Library}, account {Account(File.ReadAllText(file))}",
                    Arguments = new Dictionary<string, string> { ["base"] = provider.BaseFolder, ["file"] = file },
                });
            }
        }

        return steps;
    }

    public override StepResult Execute(FileStep step, PluginEnvironment environment, CancellationToken cancellationToken) =>
        StepResults.Delete(step.Arguments["base"], step.Arguments["file"], environment);
}
