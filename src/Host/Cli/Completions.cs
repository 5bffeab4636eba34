using System.CommandLine;
using System.CommandLine.Completions;
using Atmos.Plugins.Engine.Config;

namespace Atmos.Plugins.Host.Cli;

/// <summary>
/// Shell completion of identity, provider, tag and profile names: the config is found, merged and evaluated exactly as
/// a run does (the <c>--config</c>, <c>--config-path</c> and <c>--profile</c> already on the line included), except
/// that <c>!exec</c> never runs; no plugin is loaded and the keyring is not touched, so completing stays fast and has
/// no side effects. A missing or unreadable config completes nothing.
/// </summary>
internal static class Completions
{
    public static Func<CompletionContext, IEnumerable<CompletionItem>> Identities(HostEnvironment host, ConfigOptions options) =>
        context => Offer(context, Merged(host, context, options).Names("identities"));

    public static Func<CompletionContext, IEnumerable<CompletionItem>> Providers(HostEnvironment host, ConfigOptions options) =>
        context => Offer(context, Merged(host, context, options).Names("providers"));

    /// <summary>Tags of providers and identities; after a comma, the next tag of the list.</summary>
    public static Func<CompletionContext, IEnumerable<CompletionItem>> Tags(HostEnvironment host, ConfigOptions options) =>
        context =>
        {
            var word = context.WordToComplete;
            var comma = word.LastIndexOf(',');
            var merged = Merged(host, context, options);
            var tags = ConfigTags.All(AuthConfigLoader.Read(merged.Root, merged.Locations, merged.Failed, merged.Problems)).Select(t => word[..(comma + 1)] + t);
            return Offer(context, tags);
        };

    /// <summary>The profile folders in atmos's profile locations.</summary>
    public static Func<CompletionContext, IEnumerable<CompletionItem>> Profiles(HostEnvironment host, ConfigOptions options) =>
        context => Offer(context, ConfigLoader.AvailableProfiles(options.Request(context.ParseResult, host, runCommands: false) with { Profiles = [] }));

    private static MergedConfig Merged(HostEnvironment host, CompletionContext context, ConfigOptions options) =>
        ConfigLoader.Merge(options.Request(context.ParseResult, host, runCommands: false));

    private static List<CompletionItem> Offer(CompletionContext context, IEnumerable<string> names) =>
        names.Where(n => n.StartsWith(context.WordToComplete, StringComparison.Ordinal))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .Select(n => new CompletionItem(n))
            .ToList();
}
