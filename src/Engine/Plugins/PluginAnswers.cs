using Atmos.Plugins.Contracts;

namespace Atmos.Plugins.Engine.Plugins;

/// <summary>
/// What a plugin returned, read whole into the host's own copies and checked, inside the guarded call (SPEC §7): a
/// list is enumerated here, under the time limit, so an enumerable that throws is that call's failure and one that hangs
/// is that call's time-out; nothing the plugin made is read again afterwards (a list cannot answer differently when it
/// is read a second time). Answers are bounded, so one plugin cannot make a plan, the output or the audit trail
/// arbitrarily large.
/// </summary>
public static class PluginAnswers
{
    /// <summary>The most file steps one plugin may plan in one logout.</summary>
    public const int MaxSteps = 10_000;

    /// <summary>The most files one plugin may list for <c>atmos auth status</c>.</summary>
    public const int MaxArtifacts = 10_000;

    /// <summary>The most validation problems one entry may have.</summary>
    public const int MaxMessages = 100;

    /// <summary>The most paths one step may name.</summary>
    public const int MaxPathsPerStep = 10_000;

    /// <summary>The most text (characters of every string) one answer may hold.</summary>
    public const int MaxText = 8 * 1024 * 1024;

    /// <summary>The longest reason a step result may give (longer ones are cut).</summary>
    public const int MaxReason = 200;

    /// <summary>The longest detail or message (longer ones are cut).</summary>
    public const int MaxDetail = 2_000;

    /// <summary>A plan, copied step by step. Null steps stay null (the step guard refuses them, naming the plugin).</summary>
    /// <param name="planned">What <see cref="IProviderPlugin.Plan"/> returned.</param>
    /// <exception cref="PluginAnswerException">Null, too many steps, or too much text.</exception>
    public static List<FileStep?> Steps(IEnumerable<FileStep?>? planned)
    {
        var steps = Read(planned, MaxSteps, "no plan (null instead of a list of steps)", "steps");
        var copies = new List<FileStep?>(steps.Count);
        var text = new TextBudget();
        foreach (var step in steps)
        {
            copies.Add(step is null ? null : Copy(step, text));
        }

        return copies;
    }

    /// <summary>Validation problems, copied.</summary>
    /// <param name="messages">What <c>ValidateProvider</c> or <c>ValidateIdentity</c> returned.</param>
    /// <exception cref="PluginAnswerException">Null, a null message, or too many.</exception>
    public static List<string> Messages(IEnumerable<string?>? messages)
    {
        var read = Read(messages, MaxMessages, "no list of problems (null)", "problems");
        return read.Select(m => Cut(m ?? throw new PluginAnswerException("returned a null problem instead of a sentence"), MaxDetail)).ToList();
    }

    /// <summary>A classification, checked to be one the contract defines.</summary>
    /// <param name="value">What <c>Classify</c> returned.</param>
    /// <exception cref="PluginAnswerException">An undefined value.</exception>
    public static CredentialClass Class(CredentialClass value) => value is CredentialClass.Session or CredentialClass.LongLived
        ? value
        : throw new PluginAnswerException($"returned an unknown credential class {(int)value}");

    /// <summary>A step's result, checked, its texts bounded.</summary>
    /// <param name="result">What <c>Execute</c> returned.</param>
    /// <param name="action">The step's action, for the message.</param>
    /// <exception cref="PluginAnswerException">Null, or an unknown status.</exception>
    public static StepResult Result(StepResult? result, string action) => result switch
    {
        null => throw new PluginAnswerException($"returned no result for {action}"),
        { Status: StepStatus.Removed or StepStatus.NotFound or StepStatus.Failed } => new StepResult(result.Status, CutOrNull(result.Reason, MaxReason), CutOrNull(result.Detail, MaxDetail)),
        _ => throw new PluginAnswerException($"returned an unknown status {(int)result.Status} for {action}"),
    };

    /// <summary>The files <c>Inspect</c> listed, copied and checked.</summary>
    /// <param name="artifacts">What <c>Inspect</c> returned.</param>
    /// <exception cref="PluginAnswerException">Null, a null or incomplete file, too many, or too much text.</exception>
    public static List<StoredArtifact> Artifacts(IEnumerable<StoredArtifact?>? artifacts)
    {
        var read = Read(artifacts, MaxArtifacts, "no list of files (null)", "files");
        var text = new TextBudget();
        var copies = new List<StoredArtifact>(read.Count);
        foreach (var artifact in read)
        {
            if (artifact is null || artifact.Principal is null || artifact.Path is null || artifact.Description is null)
            {
                throw new PluginAnswerException("returned a file without its principal, path or description");
            }

            text.Add(artifact.Principal, artifact.Path, artifact.Description);
            copies.Add(artifact with { Class = Class(artifact.Class), Description = Cut(artifact.Description, MaxReason) });
        }

        return copies;
    }

    /// <summary>The message for a list longer than its bound (the plugin's process says so without sending the list).</summary>
    /// <param name="max">The bound.</param>
    /// <param name="what">What the list holds.</param>
    public static string TooMany(int max, string what) => $"returned more than {max:N0} {what}; atmos takes at most {max:N0} from one plugin in one call";

    // Enumerates at most one item past the bound: an endless enumerable costs max + 1 items, not the machine's memory.
    private static List<T> Read<T>(IEnumerable<T>? items, int max, string whenNull, string what)
    {
        if (items is null)
        {
            throw new PluginAnswerException($"returned {whenNull}");
        }

        var read = new List<T>(items is IReadOnlyCollection<T> { Count: <= 1024 } small ? small.Count : 16);
        foreach (var item in items)
        {
            if (read.Count == max)
            {
                throw new PluginAnswerException(TooMany(max, what));
            }

            read.Add(item);
        }

        return read;
    }

    // A step the plugin cannot change afterwards: its own lists, read once. Null lists stay null (the guard names them).
    private static FileStep Copy(FileStep step, TextBudget text)
    {
        var principals = step.Principals is null ? null : Read(step.Principals, MaxPathsPerStep, "no principals", "principals in one step");
        var paths = step.Paths is null ? null : Read(step.Paths, MaxPathsPerStep, "no paths", "paths in one step");
        Dictionary<string, string>? arguments = null;
        if (step.Arguments is not null)
        {
            arguments = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (name, value) in Read(step.Arguments, MaxPathsPerStep, "no arguments", "arguments in one step"))
            {
                text.Add(name, value);
                arguments[name] = value;
            }
        }

        text.Add(step.Action, step.Target, step.Note);
        text.Add(principals);
        text.Add(paths);
        return new FileStep
        {
            Action = step.Action,
            Principals = principals!,
            Target = step.Target,
            Paths = paths!,
            Note = CutOrNull(step.Note, MaxReason),
            Class = step.Class,
            Arguments = arguments!,
        };
    }

    private static string Cut(string text, int max) => text.Length <= max ? text : string.Concat(text.AsSpan(0, max - 1), "…");

    private static string? CutOrNull(string? text, int max) => text is null ? null : Cut(text, max);

    /// <summary>Counts the characters of one answer against <see cref="MaxText"/>.</summary>
    private sealed class TextBudget
    {
        private long _used;

        public void Add(params string?[] texts)
        {
            foreach (var text in texts)
            {
                _used += text?.Length ?? 0;
            }

            if (_used > MaxText)
            {
                throw new PluginAnswerException($"returned more than {MaxText / (1024 * 1024)} MiB of text in one answer; atmos takes at most that much from one plugin in one call");
            }
        }

        public void Add(IEnumerable<string?>? texts)
        {
            if (texts is not null)
            {
                Add([.. texts]);
            }
        }
    }
}

/// <summary>A plugin's answer that the host cannot take; the message says what it returned ("returned no result for ...").</summary>
public sealed class PluginAnswerException(string message) : Exception(message);
