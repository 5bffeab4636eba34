namespace Atmos.Plugins.Contracts.Safety;

/// <summary>Turns the exceptions of the safe primitives into failed <see cref="StepResult"/>s with the fix spelled out.</summary>
public static class StepResults
{
    /// <summary>
    /// Deletes <paramref name="path"/> (a file, a link or a whole folder) inside <paramref name="baseFolder"/> with
    /// <see cref="ContainedPath.Delete"/> and reports it as a step's result: removed, not found (nothing was there), or
    /// failed with the fix spelled out (<see cref="FromException"/>). Nothing is thrown.
    /// </summary>
    /// <param name="baseFolder">The folder the delete must stay in.</param>
    /// <param name="path">What to delete.</param>
    /// <param name="environment">For showing paths with <c>~</c>.</param>
    public static StepResult Delete(string baseFolder, string path, PluginEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        try
        {
            return ContainedPath.Delete(baseFolder, path)
                ? StepResult.Removed()
                : StepResult.NotFound($"{environment.Display(path)} does not exist");
        }
        catch (Exception ex)
        {
            return FromException(ex, path, environment);
        }
    }

    /// <summary>
    /// The result for <paramref name="exception"/>, raised while working on <paramref name="path"/>: a failure with the
    /// fix spelled out, one line naming the file, never the runtime's exception text. A file or folder that vanished
    /// meanwhile (removed by another process) is "not found". Nothing is rethrown.
    /// </summary>
    /// <param name="exception">What went wrong.</param>
    /// <param name="path">The file or folder being changed.</param>
    /// <param name="environment">For showing paths with <c>~</c>.</param>
    public static StepResult FromException(Exception exception, string path, PluginEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(exception);
        ArgumentNullException.ThrowIfNull(environment);
        var shown = environment.Display(path);
        var folder = environment.Display(Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(path)) ?? path);
        return exception switch
        {
            UnauthorizedAccessException => StepResult.Failed(
                "permission denied",
                $"permission denied changing {shown}; check ownership and permissions with: ls -la {folder}"),
            LockTimeoutException timeout => StepResult.Failed(
                "locked by another process",
                $"{shown} stayed locked for {timeout.Timeout.TotalSeconds:0.#} s by another process; retry when it finishes"),
            MalformedFileException malformed => StepResult.Failed(
                "malformed file, left untouched",
                $"{environment.Display(malformed.FilePath.Length > 0 ? malformed.FilePath : path)}{(malformed.Line > 0 ? $":{malformed.Line}" : string.Empty)}: {malformed.Problem}; the file was left untouched, fix or remove it by hand"),
            UnsafePathException unsafePath => StepResult.Failed(
                $"refused: {unsafePath.Reason}",
                $"{environment.Display(unsafePath.FilePath)} {unsafePath.Problem}"),
            FileSystemErrorException fileSystem => StepResult.Failed(
                fileSystem.Reason,
                $"{environment.Display(fileSystem.FilePath)}: {fileSystem.Reason}; {fileSystem.Fix}"),
            FileNotFoundException or DirectoryNotFoundException => StepResult.NotFound($"{shown} was removed by another process meanwhile"),
            OperationCanceledException => StepResult.Failed("interrupted", $"interrupted before {shown} was changed"),
            IOException io => StepResult.Failed("I/O error", $"{shown}: I/O error ({OneLine(io.Message, environment)})"),
            _ => StepResult.Failed("internal error", $"{shown}: internal error in atmos ({Name(exception)}); the file may be unchanged, please report this"),
        };
    }

    // A message on one line with the home folder shown as ~ (our own messages name their file in full).
    private static string OneLine(string message, PluginEnvironment environment)
    {
        var home = environment.HomeDirectory.TrimEnd(Path.DirectorySeparatorChar);
        var line = message.ReplaceLineEndings(" ").Trim();
        return home.Length > 1 ? line.Replace(home + Path.DirectorySeparatorChar, "~" + Path.DirectorySeparatorChar, StringComparison.Ordinal) : line;
    }

    private static string Name(Exception exception)
    {
        var name = exception.GetType().Name;
        return name.EndsWith("Exception", StringComparison.Ordinal) && name.Length > "Exception".Length ? name[..^"Exception".Length] : name;
    }
}
