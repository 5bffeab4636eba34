using System.CommandLine;
using Atmos.Plugins.Engine.Config;
using Atmos.Plugins.Engine.Projections;

namespace Atmos.Plugins.Host.Cli;

/// <summary><c>atmos auth validate</c>: every problem in atmos.yaml's auth section, one line each; exit 2 when any is an error.</summary>
internal sealed class ValidateCommand
{
    private readonly HostEnvironment _host;
    private readonly ConfigOptions _config;

    public ValidateCommand(HostEnvironment host, ConfigOptions config)
    {
        _host = host;
        _config = config;
        Command = new Command("validate", "Validate the auth configuration atmos reads (atmos.yaml with its .atmos.d/, imports and profiles): names, kinds, via chains (dangling or cyclic), spec.files.base_path, YAML functions, and each plugin's own settings. Every problem is shown at its file:line:column.");
        Command.SetAction(Execute);
    }

    public Command Command { get; }

    private int Execute(ParseResult parseResult)
    {
        var context = RunSetup.Build(_host, _config.Request(parseResult, _host));
        using var plugins = context.Catalog; // stops the plugin processes the run started
        var problems = context.Problems.Concat(PluginValidation.Validate(context)).ToList();
        var files = context.Config.Files;
        if (files.Count > 0)
        {
            _host.Error.WriteLine(TerminalText.Line($"Config: {string.Join(", ", files.Select(f => HumanOutput.Display(f, _host.Home)))}"));
        }

        foreach (var problem in problems)
        {
            _host.Error.WriteLine(TerminalText.Line(problem.ToString()));
        }

        var errors = problems.Count(p => p.Severity == ProblemSeverity.Error);
        var warnings = problems.Count - errors;
        var file = TerminalText.Line(context.Config.SourcePath is { } path ? HumanOutput.Display(path, _host.Home) : "atmos.yaml")
            + (files.Count > 1 ? $" (with {files.Count - 1} more file{(files.Count == 2 ? string.Empty : "s")})" : string.Empty);
        if (errors > 0)
        {
            _host.Error.WriteLine($"✗ {file}: {errors} error{(errors == 1 ? string.Empty : "s")}{(warnings > 0 ? $", {warnings} warning{(warnings == 1 ? string.Empty : "s")}" : string.Empty)}");
            return ExitCodes.Usage;
        }

        _host.Error.WriteLine($"✓ {file} is valid: {context.Config.Providers.Count} provider{(context.Config.Providers.Count == 1 ? string.Empty : "s")}, {context.Config.Identities.Count} identit{(context.Config.Identities.Count == 1 ? "y" : "ies")}{(warnings > 0 ? $" ({warnings} warning{(warnings == 1 ? string.Empty : "s")})" : string.Empty)}");
        return ExitCodes.Success;
    }
}
