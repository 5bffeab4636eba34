namespace Atmos.Plugins.Contracts.Safety;

/// <summary>
/// The step for files a plugin owns outright inside a base folder, such as token caches (<c>token.json</c>,
/// <c>refresh.json</c>) in folders shared with other entries: delete exactly those files, never through a link, then the
/// folders they leave empty, up to (not including) the base folder. Use <see cref="FolderRemovalStep"/> for a folder
/// that is wholly the plugin's.
/// </summary>
/// <example>
/// <code>
/// if (FileRemovalStep.Plan("remove-token", [provider.Name], cacheRoot, [tokenFile], "device-code token cache") is { } step)
/// {
///     steps.Add(step);
/// }
/// // in Execute: case "remove-token": return FileRemovalStep.Execute(step, environment);
/// </code>
/// </example>
public static class FileRemovalStep
{
    /// <summary>The argument holding the base folder deletes must stay in.</summary>
    public const string BaseArgument = "base";

    /// <summary>
    /// A step deleting those of <paramref name="files"/> that exist now (a symbolic link counts: it is unlinked), or null
    /// when none does. The step's target is the file when there is one, else the base folder.
    /// </summary>
    /// <param name="action">The plugin's action name for this step.</param>
    /// <param name="principals">The identities or providers the files belong to.</param>
    /// <param name="baseFolder">The folder deletes must stay in; each file must lie strictly inside it.</param>
    /// <param name="files">The files, absolute paths.</param>
    /// <param name="note">Shown after the target, such as <c>SSO session cache</c>.</param>
    /// <param name="credentialClass">Session (the default) or long-lived.</param>
    public static FileStep? Plan(string action, IReadOnlyList<string> principals, string baseFolder, IEnumerable<string> files, string? note, CredentialClass credentialClass = CredentialClass.Session)
    {
        ArgumentNullException.ThrowIfNull(baseFolder);
        ArgumentNullException.ThrowIfNull(files);
        var present = files.Distinct(StringComparer.Ordinal).Where(f => SafeFile.Probe(f).Kind != EntryKind.Missing).ToList();
        if (present.Count == 0)
        {
            return null;
        }

        return new FileStep
        {
            Action = action,
            Principals = principals,
            Target = present.Count == 1 ? present[0] : FolderRemovalStep.AsFolder(baseFolder),
            Paths = present,
            Note = note,
            Class = credentialClass,
            Arguments = new Dictionary<string, string> { [BaseArgument] = baseFolder },
        };
    }

    /// <summary>
    /// Deletes the files of a step made by <see cref="Plan"/>, each on its own: one that cannot be deleted fails the step
    /// naming it (and how many others went), the others are still deleted. A file that <paramref name="keep"/> says is no
    /// longer the plugin's (it changed hands since planning) is left alone. Folders left empty go, up to the base folder.
    /// Nothing is thrown.
    /// </summary>
    /// <param name="step">The step.</param>
    /// <param name="environment">For showing paths with <c>~</c>.</param>
    /// <param name="keep">Decides, just before a file is deleted, that it must stay; null keeps none.</param>
    public static StepResult Execute(FileStep step, PluginEnvironment environment, Func<string, bool>? keep = null)
    {
        ArgumentNullException.ThrowIfNull(step);
        ArgumentNullException.ThrowIfNull(environment);
        var baseFolder = step.Arguments[BaseArgument];
        var removed = 0;
        var kept = 0;
        StepResult? failed = null;
        var failures = 0;
        foreach (var path in step.Paths)
        {
            try
            {
                ContainedPath.Resolve(baseFolder, path);
                if (keep?.Invoke(path) == true)
                {
                    kept++;
                    continue;
                }

                if (!ContainedPath.Delete(baseFolder, path))
                {
                    continue;
                }

                removed++;
                var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(baseFolder));
                for (var folder = Path.GetDirectoryName(Path.GetFullPath(path)); folder is not null && folder.Length > root.Length && ContainedPath.RemoveIfEmpty(baseFolder, folder); folder = Path.GetDirectoryName(folder))
                {
                }
            }
            catch (Exception ex)
            {
                var result = StepResults.FromException(ex, path, environment);
                if (result.Status == StepStatus.Failed)
                {
                    failed ??= result;
                    failures++;
                }
            }
        }

        if (failed is not null)
        {
            return failed with
            {
                Detail = $"{failed.Detail}{(failures > 1 ? $" (and {failures - 1} more files failed)" : string.Empty)}; {removed} of {step.Paths.Count} files were removed",
            };
        }

        if (removed > 0)
        {
            return StepResult.Removed();
        }

        var shown = string.Join(", ", step.Paths.Select(environment.Display));
        return StepResult.NotFound(kept > 0 ? $"{shown} changed since planning and no longer belong to {string.Join(", ", step.Principals)}; left alone" : $"{shown} no longer exist");
    }
}
