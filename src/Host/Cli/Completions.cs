using System.CommandLine;
using System.CommandLine.Completions;
using Atmos.Plugins.Engine.Config;
using Atmos.Plugins.Engine.Projections;

namespace Atmos.Plugins.Host.Cli;

/// <summary>
/// Shell completion of identity and provider names: atmos.yaml is found and read exactly as a run does (<c>--config</c>
/// on the line being completed, then the usual places), but no plugin is loaded and the keyring is not touched, so
/// completing stays fast and has no side effects. A missing or unreadable config completes nothing.
/// </summary>
internal static class Completions
{
    public static Func<CompletionContext, IEnumerable<CompletionItem>> Identities(HostEnvironment host, Option<string?> config) =>
        context => Names(host, context, config, c => c.Identities.Select(i => i.Name));

    public static Func<CompletionContext, IEnumerable<CompletionItem>> Providers(HostEnvironment host, Option<string?> config) =>
        context => Names(host, context, config, c => c.Providers.Select(p => p.Name));

    private static IEnumerable<CompletionItem> Names(HostEnvironment host, CompletionContext context, Option<string?> config, Func<AuthConfig, IEnumerable<string>> names)
    {
        var path = ConfigDiscovery.Find(context.ParseResult.GetValue(config), host.Variables, host.WorkingDirectory, host.Home, out _);
        if (path is null)
        {
            return [];
        }

        var loaded = AuthConfigLoader.LoadFile(path, HumanOutput.Display(path, host.Home));
        return names(loaded)
            .Where(n => n.StartsWith(context.WordToComplete, StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(n => new CompletionItem(n))
            .ToList();
    }
}
