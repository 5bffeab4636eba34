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

    private static ConfigProblem ToProblem(ValidationFailure failure) =>
        new(failure.Severity == Severity.Error ? ProblemSeverity.Error : ProblemSeverity.Warning, failure.CustomState as SourceLocation, failure.ErrorMessage);

    private sealed class AuthConfigValidator : AbstractValidator<AuthConfig>
    {
        public AuthConfigValidator()
        {
            RuleForEach(c => c.Providers).ChildRules(provider =>
            {
                provider.RuleFor(p => p.Name)
                    .Must(name => ContainedPath.IsSafeName(name, out _))
                    .WithMessage(p => $"provider '{Escape(p.Name)}': name {NameProblem(p.Name)}; names become folder names and keyring keys, use letters, digits, '-' and '_'")
                    .WithState(p => p.Location);
                provider.RuleFor(p => p.Kind)
                    .Must((_, kind, context) => IsKnown(context, kind, providers: true))
                    .WithMessage(p => $"provider '{p.Name}': unknown kind '{p.Kind}'; use one of {{{KindsArgument}}}")
                    .WithState(p => p.Location)
                    .Must((_, kind, context) => !IsKindOfOtherRole(context, kind, expectProvider: true))
                    .WithMessage(p => $"provider '{p.Name}': '{p.Kind}' is an identity kind; providers use one of {{{KindsArgument}}}")
                    .WithState(p => p.Location);
                provider.RuleFor(p => p.BasePath)
                    .Must((_, path, context) => IsUsableBasePath(context, path!))
                    .When(p => p.BasePath is not null)
                    .WithMessage(p => $"provider '{p.Name}': {{{BasePathArgument}}}")
                    .WithState(p => p.Location);
            });

            RuleForEach(c => c.Identities).ChildRules(identity =>
            {
                identity.RuleFor(i => i.Name)
                    .Must(name => ContainedPath.IsSafeName(name, out _))
                    .WithMessage(i => $"identity '{Escape(i.Name)}': name {NameProblem(i.Name)}; names become profile names and keyring keys, use letters, digits, '-' and '_'")
                    .WithState(i => i.Location);
                identity.RuleFor(i => i.Kind)
                    .Must((_, kind, context) => IsKnown(context, kind, providers: false))
                    .WithMessage(i => $"identity '{i.Name}': unknown kind '{i.Kind}'; use one of {{{KindsArgument}}}")
                    .WithState(i => i.Location)
                    .Must((_, kind, context) => !IsKindOfOtherRole(context, kind, expectProvider: false))
                    .WithMessage(i => $"identity '{i.Name}': '{i.Kind}' is a provider kind; identities use one of {{{KindsArgument}}}")
                    .WithState(i => i.Location);
                identity.RuleFor(i => i.ViaIdentity)
                    .Must((i, viaIdentity) => i.ViaProvider is null || viaIdentity is null)
                    .WithMessage(i => $"identity '{i.Name}': via has both provider and identity; keep one (provider ends the chain, identity continues it)")
                    .WithState(i => i.Location);
            });

            RuleFor(c => c).Custom(CheckLinks);
        }

        // Message placeholders filled by the checks that fail (FluentValidation's message formatter).
        private const string KindsArgument = "KnownKinds";
        private const string BasePathArgument = "BasePathProblem";

        // Links between entries: dangling via, name clashes between providers and identities, cycles.
        private static void CheckLinks(AuthConfig config, ValidationContext<AuthConfig> context)
        {
            var providers = config.Providers.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
            var identities = config.Identities.ToDictionary(i => i.Name, StringComparer.Ordinal);
            foreach (var identity in config.Identities)
            {
                if (providers.Contains(identity.Name))
                {
                    Fail(context, identity.Location, $"identity '{identity.Name}' has the same name as a provider; keyring entries are keyed by name, so rename one of them");
                }

                if (identity.ViaProvider is { } provider && !providers.Contains(provider))
                {
                    Fail(context, identity.Location, $"identity '{identity.Name}': via.provider '{provider}' is not defined under auth.providers{Suggest(provider, providers)}");
                }

                if (identity.ViaIdentity is { } parent && !identities.ContainsKey(parent))
                {
                    Fail(context, identity.Location, $"identity '{identity.Name}': via.identity '{parent}' is not defined under auth.identities{Suggest(parent, identities.Keys)}");
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
                            Fail(context, start.Location, $"identities form a loop through via.identity: {string.Join(" → ", loop)}; one of them must end at a provider (via.provider)");
                        }

                        break;
                    }

                    identities.TryGetValue(next, out current);
                }
            }
        }

        private static void Fail(ValidationContext<AuthConfig> context, SourceLocation location, string message) =>
            context.AddFailure(new ValidationFailure(string.Empty, message) { CustomState = location });

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
            if (owner.Plugin is not null && owner.Problem is null && owner.IsProviderKind != expectProvider)
            {
                context.MessageFormatter.AppendArgument(KindsArgument, KindList(catalog, providers: expectProvider));
                return true;
            }

            return false;
        }

        private static bool IsUsableBasePath<T>(ValidationContext<T> context, string path)
        {
            var problem = BasePaths.Problem(path, (string)context.RootContextData[HomeKey]);
            if (problem is null)
            {
                return true;
            }

            context.MessageFormatter.AppendArgument(BasePathArgument, problem);
            return false;
        }

        private static string KindList(PluginCatalog catalog, bool providers)
        {
            var kinds = catalog.KnownKinds(providers);
            return kinds.Count == 0 ? "(no plugin is installed; check plugins.json)" : string.Join(", ", kinds);
        }

        private static string NameProblem(string name)
        {
            ContainedPath.IsSafeName(name, out var problem);
            return problem ?? "is invalid";
        }

        private static string Escape(string name) =>
            string.Concat(name.Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString()));
    }
}
