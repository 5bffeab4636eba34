using Atmos.Plugins.Contracts.Safety;
using Atmos.Plugins.Engine.Plugins;
using FluentValidation;
using FluentValidation.Results;

namespace Atmos.Plugins.Engine.Config;

/// <summary>
/// Validates the <c>auth:</c> section (FluentValidation): names usable as keyring keys and folder names, kinds that a
/// plugin provides, <c>via</c> links that exist and do not loop, and the <c>base_path</c> rules of SPEC §2.
/// Every problem carries the file, line and column of the entry.
/// </summary>
public static class ConfigValidation
{
    /// <summary>Parse problems plus validation problems, errors first within each entry's order.</summary>
    /// <param name="config">The config.</param>
    /// <param name="catalog">Which kinds the plugins provide.</param>
    /// <param name="home">For tilde expansion checks.</param>
    /// <param name="environment">The process environment, for <c>ATMOS_AUTH_REALM</c> (none when null).</param>
    public static IReadOnlyList<ConfigProblem> Validate(AuthConfig config, PluginCatalog catalog, string home, IReadOnlyDictionary<string, string>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(catalog);
        var context = new ValidationContext<AuthConfig>(config);
        context.RootContextData[CatalogKey] = catalog;
        context.RootContextData[HomeKey] = home;
        context.RootContextData[ConfigFolderKey] = Path.GetDirectoryName(config.SourcePath);
        var result = Shared.Value.Validate(context);
        var problems = config.Problems.Concat(result.Errors.Select(ToProblem)).ToList();

        // An invalid realm stops every auth command in atmos too (realm.GetRealm): it scopes every key and path.
        var realm = AuthRealm.Resolve(environment ?? new Dictionary<string, string>(), config);
        if (realm.Problem is { } realmProblem)
        {
            problems.Insert(config.Problems.Count, ConfigProblem.Error(realm.Source == "config" ? config.RealmLocation : null, realmProblem));
        }

        return problems;
    }

    // Built once per process (building a validator compiles its expressions, a cost worth paying once, and the start-up
    // warm-up pays it on another thread); what differs between runs travels in the validation context.
    private static readonly Lazy<AuthConfigValidator> Shared = new(() => new AuthConfigValidator());

    private const string CatalogKey = "catalog";
    private const string HomeKey = "home";
    private const string ConfigFolderKey = "config-folder";

    private static ConfigProblem ToProblem(ValidationFailure failure) => failure.CustomState is About about
        ? new(failure.Severity == Severity.Error ? ProblemSeverity.Error : ProblemSeverity.Warning, about.Location, failure.ErrorMessage) { Principals = about.Principals }
        : new(failure.Severity == Severity.Error ? ProblemSeverity.Error : ProblemSeverity.Warning, null, failure.ErrorMessage);

    // What a failure is about: where, and which identities or providers it blocks (an error blocks only those).
    private sealed record About(SourceLocation? Location, IReadOnlyList<string> Principals);

    private sealed class AuthConfigValidator : AbstractValidator<AuthConfig>
    {
        public AuthConfigValidator()
        {
            RuleForEach(c => c.Providers).ChildRules(provider =>
            {
                provider.RuleFor(p => p.Name)
                    .Must(name => ContainedPath.IsSafeName(name, out _))
                    .WithMessage(p => $"provider '{Escape(p.Name)}': name {NameProblem(p.Name)}; provider names become folder names, use letters, digits, '-', '_' and '.'")
                    .WithState(p => new About(p.Location, [p.Name]));
                provider.RuleFor(p => p.Kind)
                    .Must((_, kind, context) => IsKnown(context, kind, providers: true))
                    .WithMessage(p => $"provider '{p.Name}': no plugin owns kind '{p.Kind}' (a newer atmos's kind, or a plugin that is not installed); its files are not looked for and its keyring entries are kept unless --keychain; known provider kinds: {{{KindsArgument}}}")
                    .WithSeverity(Severity.Warning)
                    .WithState(p => new About(p.Location, []))
                    .Must((_, kind, context) => !IsKindOfOtherRole(context, kind, expectProvider: true))
                    .WithMessage(p => $"provider '{p.Name}': '{p.Kind}' is an identity kind; move it under auth.identities or use a provider kind: {{{KindsArgument}}}")
                    .WithSeverity(Severity.Error)
                    .WithState(p => new About(p.Location, [p.Name]));
                provider.RuleFor(p => p.BasePath)
                    .Must((_, path, context) => IsUsableBasePath(context, path!))
                    .When(p => p.BasePath is not null)
                    .WithMessage(p => $"provider '{p.Name}': {{{BasePathArgument}}}")
                    .WithState(p => new About(p.Location, [p.Name]));
            });

            RuleForEach(c => c.Identities).ChildRules(identity =>
            {
                identity.RuleFor(i => i.Name)
                    .Must(IsIdentityName)
                    .WithMessage(i => $"identity '{Escape(i.Name)}': name {IdentityNameProblem(i.Name)}; identity names become profile names and keyring keys (they may hold '/' and '.')")
                    .WithState(i => new About(i.Location, [i.Name]));
                identity.RuleFor(i => i.Kind)
                    .Must((_, kind, context) => IsKnown(context, kind, providers: false))
                    .WithMessage(i => $"identity '{i.Name}': no plugin owns kind '{i.Kind}' (a newer atmos's kind, or a plugin that is not installed); its files are not looked for and its keyring entries are kept unless --keychain; known identity kinds: {{{KindsArgument}}}")
                    .WithSeverity(Severity.Warning)
                    .WithState(i => new About(i.Location, []))
                    .Must((_, kind, context) => !IsKindOfOtherRole(context, kind, expectProvider: false))
                    .WithMessage(i => $"identity '{i.Name}': '{i.Kind}' is a provider kind; move it under auth.providers or use an identity kind: {{{KindsArgument}}}")
                    .WithSeverity(Severity.Error)
                    .WithState(i => new About(i.Location, [i.Name]));
                identity.RuleFor(i => i.ViaIdentity)
                    .Must((i, viaIdentity) => i.ViaProvider is null || viaIdentity is null)
                    .WithMessage(i => $"identity '{i.Name}': via has both provider and identity; keep one (provider ends the chain, identity continues it)")
                    .WithState(i => new About(i.Location, [i.Name]));
            });

            RuleFor(c => c).Custom(CheckLinks);
            RuleFor(c => c).Custom(CheckIntegrations);
        }

        // auth.integrations only add to what a logout removes: a problem with one is a warning naming what its logout
        // will therefore leave behind, never a reason to refuse the run.
        private static void CheckIntegrations(AuthConfig config, ValidationContext<AuthConfig> context)
        {
            var catalog = CatalogOf(context);
            foreach (var integration in config.Integrations)
            {
                if (catalog.ResolveIntegration(integration.Kind).IsUnknown)
                {
                    Warn(context, integration.Location, $"integration '{integration.Name}': unknown kind '{integration.Kind}', so no logout cleans it up; known kinds: {string.Join(", ", catalog.Plugins.Where(p => p.IsAvailable).SelectMany(p => p.IntegrationKinds).Order(StringComparer.Ordinal).DefaultIfEmpty("(none)"))}");
                }

                if (integration.ViaIdentity is null == integration.ViaProvider is null)
                {
                    Warn(context, integration.Location, $"integration '{integration.Name}' needs exactly one of via.identity and via.provider (atmos refuses it otherwise), so no logout cleans it up");
                }
                else if (integration.ViaIdentity is { } identity && !config.Identities.Any(i => string.Equals(i.Name, identity, StringComparison.OrdinalIgnoreCase)))
                {
                    Warn(context, integration.Location, $"integration '{integration.Name}': via.identity '{identity}' is not defined under auth.identities, so no logout cleans it up");
                }
                else if (integration.ViaProvider is { } provider && !config.Providers.Any(p => string.Equals(p.Name, provider, StringComparison.OrdinalIgnoreCase)))
                {
                    Warn(context, integration.Location, $"integration '{integration.Name}': via.provider '{provider}' is not defined under auth.providers, so no logout cleans it up");
                }
            }
        }

        // Message placeholders filled by the checks that fail (FluentValidation's message formatter).
        private const string KindsArgument = "KnownKinds";
        private const string BasePathArgument = "BasePathProblem";

        // Links between entries: dangling via, names shared between providers and identities, cycles.
        private static void CheckLinks(AuthConfig config, ValidationContext<AuthConfig> context)
        {
            var providers = config.Providers.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
            var identities = new Dictionary<string, IdentityConfig>(StringComparer.Ordinal);
            foreach (var identity in config.Identities)
            {
                identities.TryAdd(identity.Name, identity);
            }

            WarnAboutCaseTwins(config.Providers, p => p.Name, p => p.Location, "provider", context);
            WarnAboutCaseTwins(config.Identities, i => i.Name, i => i.Location, "identity", context);
            foreach (var identity in config.Identities)
            {
                if (providers.Contains(identity.Name))
                {
                    Warn(context, identity.Location, $"identity '{identity.Name}' has the same name as a provider; atmos keys keyring entries by name, so they share their entries: logging out either one removes the shared entries (rename one to keep them apart)");
                }

                if (identity.ViaProvider is { } provider && !providers.Contains(provider))
                {
                    Fail(context, identity.Location, [identity.Name], $"identity '{identity.Name}': via.provider '{provider}' is not defined under auth.providers{Suggest(provider, providers)}");
                }

                if (identity.ViaIdentity is { } parent && !identities.ContainsKey(parent))
                {
                    Fail(context, identity.Location, [identity.Name], $"identity '{identity.Name}': via.identity '{parent}' is not defined under auth.identities{Suggest(parent, identities.Keys)}");
                }
            }

            var reported = new HashSet<string>(StringComparer.Ordinal);
            foreach (var start in config.Identities)
            {
                var path = new List<string>();
                var current = start;
                while (current?.ViaIdentity is { } next)
                {
                    path.Add(current.Name);
                    var loopAt = path.IndexOf(next);
                    if (loopAt >= 0 || next == start.Name)
                    {
                        var loop = path.Skip(Math.Max(loopAt, 0)).Append(next).ToList();
                        if (reported.Add(string.Join(",", loop.Skip(1).Order(StringComparer.Ordinal))))
                        {
                            Fail(context, start.Location, loop.Distinct(StringComparer.Ordinal).ToList(), $"identities form a loop through via.identity: {string.Join(" → ", loop)}; one of them must end at a provider (via.provider)");
                        }

                        break;
                    }

                    identities.TryGetValue(next, out current);
                }
            }
        }

        // atmos lower-cases names when it loads its config: two names that differ only in case are one entry to it.
        // Over the entries themselves, not (name, location) tuples: LINQ over a value tuple is JIT-compiled at every run
        // (docs/performance.md, item 25).
        private static void WarnAboutCaseTwins<T>(IReadOnlyList<T> entries, Func<T, string> nameOf, Func<T, SourceLocation> locationOf, string what, ValidationContext<AuthConfig> context)
            where T : class
        {
            foreach (var twins in entries.GroupBy(e => nameOf(e).ToLowerInvariant(), StringComparer.Ordinal).Where(g => g.Count() > 1))
            {
                var names = twins.Select(t => $"'{nameOf(t)}'").ToList();
                Warn(context, locationOf(twins.Last()), $"{what} names {string.Join(" and ", names)} differ only in case; atmos lower-cases names, so it keeps them as one ({twins.Key}) and their keyring entries and files are the same; rename one");
            }
        }

        private static void Fail(ValidationContext<AuthConfig> context, SourceLocation location, IReadOnlyList<string> principals, string message) =>
            context.AddFailure(new ValidationFailure(string.Empty, message) { CustomState = new About(location, principals) });

        private static void Warn(ValidationContext<AuthConfig> context, SourceLocation location, string message) =>
            context.AddFailure(new ValidationFailure(string.Empty, message) { CustomState = new About(location, []), Severity = Severity.Warning });

        private static string Suggest(string name, IEnumerable<string> candidates)
        {
            var close = candidates.FirstOrDefault(c => string.Equals(c, name, StringComparison.OrdinalIgnoreCase));
            return close is null ? "; define it or fix the name" : $"; did you mean '{close}'?";
        }

        private static PluginCatalog CatalogOf(IValidationContext context) => (PluginCatalog)context.RootContextData[CatalogKey];

        // A kind some plugin declares; otherwise the failure's message lists the kinds that are.
        private static bool IsKnown<T>(ValidationContext<T> context, string kind, bool providers)
        {
            var catalog = CatalogOf(context);
            if (!catalog.Resolve(kind).IsUnknown)
            {
                return true;
            }

            context.MessageFormatter.AppendArgument(KindsArgument, KindList(catalog, providers));
            return false;
        }

        private static bool IsKindOfOtherRole<T>(ValidationContext<T> context, string kind, bool expectProvider)
        {
            var catalog = CatalogOf(context);
            var owner = catalog.Resolve(kind);
            if (owner.Plugin is not null && owner.Problem is null && !(expectProvider ? owner.IsProviderKind : owner.IsIdentityKind))
            {
                context.MessageFormatter.AppendArgument(KindsArgument, KindList(catalog, providers: expectProvider));
                return true;
            }

            return false;
        }

        private static bool IsUsableBasePath<T>(ValidationContext<T> context, string path)
        {
            var home = (string)context.RootContextData[HomeKey];
            var problem = BasePaths.Problem(path, home) ?? WhereItResolves(path, home, context.RootContextData[ConfigFolderKey] as string);
            if (problem is null)
            {
                return true;
            }

            context.MessageFormatter.AppendArgument(BasePathArgument, problem);
            return false;
        }

        // A base folder at /, ~, above ~ or in a system folder would make a provider logout delete <base>/<provider>/ there
        // (issue 17: base_path ~ and a provider named Documents). A relative path is relative to atmos.yaml's folder.
        private static string? WhereItResolves(string basePath, string home, string? configFolder)
        {
            var expanded = PathExpansion.ExpandTilde(basePath.Trim(), home)!;
            if (!Path.IsPathRooted(expanded) && configFolder is null)
            {
                return null;
            }

            return BaseFolderCheck.Problem(Path.GetFullPath(expanded, configFolder ?? home), $"spec.files.base_path '{basePath}'", home);
        }

        private static string KindList(PluginCatalog catalog, bool providers)
        {
            var kinds = catalog.KnownKinds(providers);
            return kinds.Count == 0 ? "(no plugin is installed; check plugins.json)" : string.Join(", ", kinds);
        }

        // Identity names are keyring keys and INI section names, never path segments on their own: atmos's SSO
        // provisioning makes '<account>/<role>' names. Only what no key or section can hold is refused.
        private static bool IsIdentityName(string name) => IdentityNameProblem(name) is null;

        private static string? IdentityNameProblem(string name) => name switch
        {
            "" => "is empty",
            _ when name.Any(char.IsControl) => "contains a control character",
            _ when name.Trim().Length != name.Length => "has leading or trailing white space",
            _ when name.Contains('[', StringComparison.Ordinal) || name.Contains(']', StringComparison.Ordinal) => "contains '[' or ']', which an INI section name cannot hold",
            _ => null,
        };

        private static string NameProblem(string name)
        {
            ContainedPath.IsSafeName(name, out var problem);
            return problem ?? "is invalid";
        }

        private static string Escape(string name) =>
            string.Concat(name.Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString()));
    }
}
