using Atmos.Plugins.Contracts;
using Atmos.Plugins.TestPlugins;

[assembly: AtmosPlugin(typeof(FaultyPlugin))]
[assembly: ProviderKind("faulty/provider")]

namespace Atmos.Plugins.TestPlugins;

/// <summary>
/// Each provider's <c>behaviour</c> picks how the plugin breaks the contract: <c>throw-in-plan</c>, <c>hang-in-plan</c>,
/// <c>null-plan</c>, <c>null-step</c>, <c>outside-base</c>, <c>protected-path</c>, <c>relative-path</c>,
/// <c>throw-in-execute</c>, <c>hang-in-execute</c>, <c>null-result</c>, <c>bad-status</c>.
/// Its constructor records that it ran (in the file named by <c>ATMOS_TEST_MARKER</c>), so a test can prove the plugin
/// was never loaded, and throws or hangs when <c>ATMOS_TEST_CONSTRUCTOR</c> says <c>throw</c> or <c>hang</c>.
/// </summary>
public sealed class FaultyPlugin : InertPlugin
{
    public FaultyPlugin()
    {
        if (Environment.GetEnvironmentVariable("ATMOS_TEST_MARKER") is { Length: > 0 } marker)
        {
            File.AppendAllText(marker, "faulty plugin constructed\n");
        }

        switch (Environment.GetEnvironmentVariable("ATMOS_TEST_CONSTRUCTOR"))
        {
            case "throw":
                throw new InvalidOperationException("the faulty plugin cannot start: its settings service is missing");
            case "hang":
                Thread.Sleep(Timeout.Infinite);
                break;
        }
    }

    public override string Cloud => "faulty";

    public override IReadOnlyList<FileStep> Plan(PlanRequest request)
    {
        var steps = new List<FileStep>();
        foreach (var provider in request.Providers)
        {
            var behaviour = provider.Settings.GetString("behaviour");
            var path = behaviour switch
            {
                "throw-in-plan" => throw new InvalidOperationException("the faulty plugin was told to throw in Plan"),
                "hang-in-plan" => Hang<string>(),
                "null-plan" => null,
                "null-step" => null,
                "outside-base" => "/etc/atmos-faulty-target",
                "protected-path" => Path.Join(request.Environment.HomeDirectory, ".aws", "credentials"),
                "relative-path" => "faulty/relative",
                _ => Path.Join(provider.Folder, "session"),
            };
            if (behaviour == "null-plan")
            {
                return null!;
            }

            steps.Add(path is null ? null! : new FileStep
            {
                Action = behaviour ?? "ok",
                Principals = [provider.Name],
                Target = path,
                Paths = [path],
            });
        }

        return steps;
    }

    public override StepResult Execute(FileStep step, PluginEnvironment environment, CancellationToken cancellationToken) => step.Action switch
    {
        "throw-in-execute" => throw new IOException("the faulty plugin was told to throw in Execute"),
        "hang-in-execute" => Hang<StepResult>(),
        "null-result" => null!,
        "bad-status" => new StepResult((StepStatus)42, "forty-two"),
        _ => StepResult.Removed(),
    };

    private static T Hang<T>()
    {
        Thread.Sleep(Timeout.Infinite);
        throw new InvalidOperationException("unreachable");
    }
}
