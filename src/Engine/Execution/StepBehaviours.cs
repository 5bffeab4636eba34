using Atmos.Plugins.Contracts;
using Atmos.Plugins.Engine.Events;
using Atmos.Plugins.Engine.Projections;
using FluentValidation;
using Mediator;

namespace Atmos.Plugins.Engine.Execution;

/// <summary>
/// Outermost behaviour: whatever happens inside (an outcome, an exception, a cancellation), the step ends with exactly
/// one outcome, which the runner records. Handlers return outcomes; nothing a step does escapes as an exception.
/// </summary>
/// <typeparam name="TMessage">A step command.</typeparam>
/// <typeparam name="TResponse">Always <see cref="StepOutcome"/>.</typeparam>
public sealed class StepOutcomeBehaviour<TMessage, TResponse> : IPipelineBehavior<TMessage, TResponse>
    where TMessage : IStepCommand
{
    /// <inheritdoc />
    public async ValueTask<TResponse> Handle(TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken cancellationToken)
    {
        StepOutcome outcome;
        try
        {
            outcome = await next(message, cancellationToken).ConfigureAwait(false) as StepOutcome
                ?? new StepOutcome(StepStatus.Failed, "no outcome", "the step produced no outcome");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            outcome = new StepOutcome(StepStatus.Failed, "interrupted", "interrupted before this step finished");
        }
        catch (Exception ex)
        {
            outcome = new StepOutcome(StepStatus.Failed, "unexpected error", LogoutEngine.OneLine(ex));
        }

        return (TResponse)(object)outcome;
    }
}

/// <summary>
/// Validates a step command (FluentValidation) before its handler runs. An invalid step is a failed outcome, not an
/// exception: plans can come from replays and plugins, and a bad one must not stop the rest.
/// </summary>
/// <typeparam name="TMessage">A step command.</typeparam>
/// <typeparam name="TResponse">Always <see cref="StepOutcome"/>.</typeparam>
public sealed class StepValidationBehaviour<TMessage, TResponse> : IPipelineBehavior<TMessage, TResponse>
    where TMessage : IStepCommand
{
    private readonly IEnumerable<IValidator<TMessage>> _validators;

    /// <summary>Creates the behaviour.</summary>
    /// <param name="validators">The validators registered for this command.</param>
    public StepValidationBehaviour(IEnumerable<IValidator<TMessage>> validators) => _validators = validators;

    /// <inheritdoc />
    public ValueTask<TResponse> Handle(TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken cancellationToken)
    {
        var errors = _validators.SelectMany(v => v.Validate(message).Errors).Select(e => e.ErrorMessage).ToList();
        if (errors.Count == 0)
        {
            return next(message, cancellationToken);
        }

        return ValueTask.FromResult((TResponse)(object)new StepOutcome(StepStatus.Failed, "invalid step", string.Join("; ", errors)));
    }
}

/// <summary>
/// A keyring step must name keys that are plain names: not empty, no control character (identity names may hold
/// <c>/</c> and <c>.</c>: atmos provisions <c>&lt;account&gt;/&lt;role&gt;</c> identities).
/// </summary>
public sealed class RemoveKeyringEntryValidator : AbstractValidator<RemoveKeyringEntry>
{
    /// <summary>Defines the rules.</summary>
    public RemoveKeyringEntryValidator()
    {
        RuleFor(c => c.Step)
            .Must(s => s.Type == StepType.Keyring && (s.Keys ?? [s.Target]).Count > 0 && (s.Keys ?? [s.Target]).All(IsKey))
            .WithMessage(c => $"keyring step {c.Step.Index} names '{c.Step.Target}', which is not a valid keyring key");
    }

    private static bool IsKey(string key) => !string.IsNullOrWhiteSpace(key) && !key.Any(char.IsControl);
}

/// <summary>A realm folder step must name an absolute path inside its absolute base folder.</summary>
public sealed class RemoveRealmEntryValidator : AbstractValidator<RemoveRealmEntry>
{
    /// <summary>Defines the rules.</summary>
    public RemoveRealmEntryValidator()
    {
        RuleFor(c => c.Step)
            .Must(s => s.Type == StepType.Folder
                && s.Arguments.TryGetValue("base", out var baseFolder) && Path.IsPathFullyQualified(baseFolder)
                && s.Arguments.TryGetValue("path", out var path) && Path.IsPathFullyQualified(path)
                && path.StartsWith(Path.TrimEndingDirectorySeparator(baseFolder) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            .WithMessage(c => $"folder step {c.Step.Index} does not name a path inside its base folder");
    }
}

/// <summary>A file step must name its plugin and action and only absolute paths.</summary>
public sealed class RunPluginStepValidator : AbstractValidator<RunPluginStep>
{
    /// <summary>Defines the rules.</summary>
    public RunPluginStepValidator()
    {
        RuleFor(c => c.Step)
            .Must(s => s.Type == StepType.Files && !string.IsNullOrEmpty(s.Plugin) && !string.IsNullOrEmpty(s.Action) && s.Class != StepClass.Unknown)
            .WithMessage(c => $"file step {c.Step.Index} names no plugin, action or class");
        RuleFor(c => c.Step)
            .Must(s => s.Paths.Prepend(s.Target).All(p => !string.IsNullOrEmpty(p) && Path.IsPathFullyQualified(p)))
            .WithMessage(c => $"file step {c.Step.Index} has a path that is not absolute");
    }
}
