using System.Buffers;
using Atmos.Plugins.Contracts.Safety;
using Atmos.Plugins.Engine.Config;
using Atmos.Plugins.Engine.Events;
using Atmos.Plugins.Engine.Execution;
using Atmos.Plugins.Engine.Projections;

namespace Atmos.Plugins.Engine.Audit;

/// <summary>
/// The audit trail on disk: every event of a run, as the JSON line <see cref="EventJson"/> writes, appended to the
/// audit file (docs/audit.md). Events hold no secrets, so neither does the file.
/// </summary>
/// <remarks>
/// Lines are buffered and appended in at most two batches: when removal starts (so a process killed mid-removal still
/// leaves its request and plan on record) and when the run completes. A failed append keeps its lines for the next
/// one; only when the final append fails is one warning line written, naming the file and the fix. The logout itself
/// never fails because of the audit.
/// <para>A run adds at most <see cref="MaxRunBytes"/> (the size at which the file rotates): a run whose events take more
/// is not recorded past that point, with one warning, rather than rotating earlier runs away.</para>
/// </remarks>
public sealed class AuditTrail : IEventSink
{
    private readonly string _path;
    private readonly string _home;
    private readonly string _shownPath;
    private readonly TimeSpan _lockTimeout;
    private readonly TextWriter _warnings;
    private readonly CancellationToken _interrupted;
    private readonly ArrayBufferWriter<byte> _pending = new(16 * 1024);
    private bool _appendedBefore;
    private long _appended;
    private bool _overflowed;

    /// <summary>The most one run adds to the audit file: the size at which the file rotates.</summary>
    public const long MaxRunBytes = AuditFile.RotateAtBytes;

    /// <summary>Creates the audit trail of one run.</summary>
    /// <param name="path">The audit file (absolute).</param>
    /// <param name="home">The home folder, to name the file with <c>~</c> in the warning.</param>
    /// <param name="lockTimeout">How long to wait for another run's append.</param>
    /// <param name="warnings">Where the one warning line goes when the audit cannot be written (standard error).</param>
    /// <param name="interrupted">The run's Ctrl-C: once it fires, the final append waits for the audit lock at most <see cref="InterruptedLockWait"/>.</param>
    public AuditTrail(string path, string home, TimeSpan lockTimeout, TextWriter warnings, CancellationToken interrupted = default)
    {
        _path = path;
        _home = home;
        _shownPath = HumanOutput.Display(path, home);
        _lockTimeout = lockTimeout;
        _warnings = warnings;
        _interrupted = interrupted;
    }

    /// <summary>How long an interrupted run waits for the audit lock (Ctrl-C ends a run within a second).</summary>
    public static TimeSpan InterruptedLockWait { get; } = TimeSpan.FromMilliseconds(300);

    /// <summary>
    /// The audit sinks for a run: one <see cref="AuditTrail"/>, none when <c>auth.audit.enabled</c> is false, or a sink
    /// that warns once when <c>auth.audit.path</c> cannot be resolved.
    /// </summary>
    /// <param name="settings">The <c>auth.audit</c> settings.</param>
    /// <param name="paths">Home, config folder and environment, for the path.</param>
    /// <param name="lockTimeout">How long to wait for the audit lock.</param>
    /// <param name="warnings">Standard error.</param>
    /// <param name="interrupted">The run's Ctrl-C (see the constructor).</param>
    public static IEnumerable<IEventSink> For(AuditSettings settings, PathContext paths, TimeSpan lockTimeout, TextWriter warnings, CancellationToken interrupted = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(paths);
        if (!settings.Enabled)
        {
            return [];
        }

        var path = ResolvePath(settings, paths);
        return path is null
            ? [new UnresolvablePath(settings.Path!, warnings)]
            : [new AuditTrail(path, paths.Home, lockTimeout, warnings, interrupted)];
    }

    /// <summary>
    /// Where the audit file is: <c>auth.audit.path</c> (tilde expanded; relative to the folder of atmos.yaml), else
    /// <c>$XDG_STATE_HOME/atmos/audit.jsonl</c>, else <c>~/.local/state/atmos/audit.jsonl</c>. Null when the configured
    /// path cannot be expanded (<c>~otheruser/...</c>) or is empty.
    /// </summary>
    /// <param name="settings">The <c>auth.audit</c> settings.</param>
    /// <param name="paths">Home, config folder and environment.</param>
    public static string? ResolvePath(AuditSettings settings, PathContext paths)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(paths);
        if (settings.Path is null)
        {
            return DefaultPath(paths.Environment, paths.Home);
        }

        if (string.IsNullOrWhiteSpace(settings.Path) || settings.Path.IndexOfAny(['\0', '\r', '\n']) >= 0)
        {
            return null;
        }

        var expanded = PathExpansion.ExpandTilde(settings.Path.Trim(), paths.Home);
        return expanded is null ? null : Path.GetFullPath(expanded, paths.ConfigFolder ?? paths.WorkingDirectory);
    }

    /// <summary>The default audit file: <c>&lt;state home&gt;/atmos/audit.jsonl</c>.</summary>
    /// <param name="environment">The process environment.</param>
    /// <param name="home">The home folder.</param>
    public static string DefaultPath(IReadOnlyDictionary<string, string> environment, string home) =>
        Path.Join(PathExpansion.StateHome(environment, home), "atmos", AuditFile.DefaultFileName);

    /// <inheritdoc />
    public void Record(LogoutEvent logoutEvent, RunState state)
    {
        ArgumentNullException.ThrowIfNull(logoutEvent);
        if (!_overflowed)
        {
            EventJson.WriteLine(_pending, logoutEvent);
            if (_appended + _pending.WrittenCount > MaxRunBytes)
            {
                _overflowed = true;
                _pending.Clear();
            }
        }

        if (_overflowed)
        {
            if (logoutEvent is LogoutCompleted)
            {
                _warnings.WriteLine($"⚠️ Audit trail not {(_appendedBefore ? "completed" : "written")} in {_shownPath}: this run's events take more than the {MaxRunBytes / (1024 * 1024)} MiB one run may add (more would rotate earlier runs away); keep the run's --output json if you need its record");
                _warnings.Flush();
            }

            return;
        }

        if (logoutEvent is RemovalStarted)
        {
            TryAppend(out _);
        }
        else if (logoutEvent is LogoutCompleted && !TryAppend(out var problem))
        {
            _warnings.WriteLine($"⚠️ Audit trail not written to {_shownPath}: {problem}");
            _warnings.Flush();
        }
    }

    private bool TryAppend(out string? problem)
    {
        problem = null;
        if (_pending.WrittenCount == 0)
        {
            return true;
        }

        try
        {
            var wait = _interrupted.IsCancellationRequested && _lockTimeout > InterruptedLockWait ? InterruptedLockWait : _lockTimeout;
            AuditFile.Append(_path, _pending.WrittenSpan, mayRotate: !_appendedBefore, wait);
            _appendedBefore = true;
            _appended += _pending.WrittenCount;
            _pending.ResetWrittenCount();
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            problem = Explain(ex);
            return false;
        }
    }

    // One line: what went wrong and what to do. Every fix ends with the two settings that always work.
    private string Explain(Exception ex)
    {
        const string Otherwise = "or set auth.audit.path to a writable file, or turn the audit off with auth.audit.enabled: false";
        return ex switch
        {
            UnauthorizedAccessException => $"permission denied; check the folder with: ls -la {Path.GetDirectoryName(_shownPath)}, {Otherwise}",
            LockTimeoutException timeout => $"another atmos held its lock for {timeout.Timeout.TotalSeconds:0.#} s; retry or raise ATMOS_LOCK_TIMEOUT, {Otherwise}",
            UnsafePathException unsafePath => $"{(unsafePath.FilePath == _path ? "it" : Shown(unsafePath.FilePath))} {unsafePath.Problem}; point auth.audit.path at a new file or at atmos's own audit trail, or turn the audit off with auth.audit.enabled: false",
            FileSystemErrorException fileSystem => $"{fileSystem.Reason}; {fileSystem.Fix}, {Otherwise}",
            _ => $"{Shown(ex.Message)}; fix the path, {Otherwise}",
        };
    }

    // An exception message on one line, with the home folder shown as ~ like every other path we print.
    private string Shown(string message)
    {
        var line = message.ReplaceLineEndings(" ").Trim().TrimEnd('.');
        return _home.Length > 1 ? line.Replace(_home.TrimEnd('/') + "/", "~/", StringComparison.Ordinal) : line;
    }

    /// <summary><c>auth.audit.path</c> cannot be used: nothing is written, and the run ends with one warning.</summary>
    private sealed class UnresolvablePath : IEventSink
    {
        private readonly string _configured;
        private readonly TextWriter _warnings;

        public UnresolvablePath(string configured, TextWriter warnings)
        {
            _configured = configured;
            _warnings = warnings;
        }

        public void Record(LogoutEvent logoutEvent, RunState state)
        {
            if (logoutEvent is LogoutCompleted)
            {
                _warnings.WriteLine($"⚠️ Audit trail not written: auth.audit.path '{_configured}' cannot be expanded (only ~ and ~/... are supported); write the full path, or set auth.audit.enabled: false");
                _warnings.Flush();
            }
        }
    }
}
