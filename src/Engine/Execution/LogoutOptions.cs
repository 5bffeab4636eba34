using FluentValidation;

namespace Atmos.Plugins.Engine.Execution;

/// <summary>The logout command's flags, after the host read arguments and environment.</summary>
public sealed record LogoutOptions
{
    /// <summary>The identity from the positional argument, <c>--identity NAME</c>, or <c>$ATMOS_IDENTITY</c>/<c>$IDENTITY</c>.</summary>
    public string? Identity { get; init; }

    /// <summary><c>--identity</c> given without a value: show the picker.</summary>
    public bool PickIdentity { get; init; }

    /// <summary><c>--provider NAME</c>.</summary>
    public string? Provider { get; init; }

    /// <summary><c>--tags a,b</c>: every provider and identity carrying any of them; null when not given.</summary>
    public IReadOnlyList<string>? Tags { get; init; }

    /// <summary><c>--all</c>.</summary>
    public bool All { get; init; }

    /// <summary><c>--all-realms</c>: everything, plus what atmos left in every realm of this machine.</summary>
    public bool AllRealms { get; init; }

    /// <summary><c>--dry-run</c>.</summary>
    public bool DryRun { get; init; }

    /// <summary><c>--keychain</c>.</summary>
    public bool Keychain { get; init; }

    /// <summary><c>--force</c>.</summary>
    public bool Force { get; init; }

    /// <summary>A command-line parse error (unknown flag, missing value...): the decider rejects the run with it, before any rule.</summary>
    public string? UsageError { get; init; }
}

/// <summary>Flag combinations that make no sense (FluentValidation). Each message names the problem and the fix.</summary>
public sealed class LogoutOptionsValidator : AbstractValidator<LogoutOptions>
{
    private static readonly Lazy<LogoutOptionsValidator> SharedInstance = new(() => new LogoutOptionsValidator());

    /// <summary>The process's one instance: building a validator compiles its rules; validating with it is cheap and thread-safe.</summary>
    public static LogoutOptionsValidator Shared => SharedInstance.Value;

    /// <summary>Defines the rules.</summary>
    public LogoutOptionsValidator()
    {
        RuleFor(o => o)
            .Must(o => !(o.All && (o.Identity is not null || o.PickIdentity)))
            .WithMessage("--all cannot be combined with an identity; use either --all or an identity");
        RuleFor(o => o)
            .Must(o => !(o.All && o.Provider is not null))
            .WithMessage("--all cannot be combined with --provider; --all already includes every provider");
        RuleFor(o => o)
            .Must(o => !(o.Provider is not null && (o.Identity is not null || o.PickIdentity)))
            .WithMessage("--provider cannot be combined with an identity; use either --provider NAME or an identity");
        RuleFor(o => o)
            .Must(o => !(o.AllRealms && (o.Identity is not null || o.PickIdentity || o.Provider is not null)))
            .WithMessage("--all-realms cannot be combined with an identity or --provider; it logs out everything in every realm");
        RuleFor(o => o)
            .Must(o => !(o.AllRealms && o.All))
            .WithMessage("--all-realms cannot be combined with --all; --all-realms already includes everything --all removes");
        RuleFor(o => o)
            .Must(o => o.Tags is null || (!o.All && !o.AllRealms && o.Provider is null && o.Identity is null && !o.PickIdentity))
            .WithMessage("--tags cannot be combined with an identity, --provider, --all or --all-realms; use one way to choose what to log out");
        RuleFor(o => o.Tags)
            .Must(t => t is null || t.Count > 0)
            .WithMessage("--tags needs at least one tag, e.g. --tags ci,production");
        RuleFor(o => o.Provider)
            .Must(p => p is null || p.Trim().Length > 0)
            .WithMessage("--provider needs a provider name, e.g. --provider aws-sso");
        RuleFor(o => o.Identity)
            .Must(i => i is null || i.Trim().Length > 0)
            .WithMessage("the identity name is empty; pass a name or run 'atmos auth logout' without arguments to choose one");
    }
}
