namespace Atmos.Plugins.Contracts.Safety;

/// <summary>
/// The step every plugin needs for a provider logout, and for any other folder it owns outright (a token cache folder,
/// an identity's own folder): delete one folder inside a base folder, unlinking it if it is a symbolic link.
/// </summary>
/// <example>
/// <code>
/// if (FolderRemovalStep.Plan("remove-provider-folder", [provider.Name], provider.BaseFolder, provider.Folder, FolderRemovalStep.NoteFor(provider)) is { } step)
/// {
///     steps.Add(step);
/// }
/// // in Execute: case "remove-provider-folder": return FolderRemovalStep.Execute(step, environment);
/// </code>
/// </example>
public static class FolderRemovalStep
{
    /// <summary>The argument holding the base folder deletes must stay in.</summary>
    public const string BaseArgument = "base";

    /// <summary>The argument holding the folder to delete.</summary>
    public const string FolderArgument = "folder";

    /// <summary>The note the output shows for a provider in the default (XDG) base folder.</summary>
    public const string DefaultBaseNote = "XDG-compliant";

    /// <summary>
    /// A step deleting <paramref name="folder"/>, or null when there is nothing there (steps for things that do not
    /// exist are left out of a plan). A symbolic link counts as something: the step unlinks it.
    /// </summary>
    /// <param name="action">The plugin's action name for this step.</param>
    /// <param name="principals">The identities or providers the folder belongs to.</param>
    /// <param name="baseFolder">The folder deletes must stay in.</param>
    /// <param name="folder">The folder to delete.</param>
    /// <param name="note">Shown after the folder, such as <see cref="DefaultBaseNote"/>.</param>
    public static FileStep? Plan(string action, IReadOnlyList<string> principals, string baseFolder, string folder, string? note)
    {
        ArgumentNullException.ThrowIfNull(folder);
        // One lstat: Attributes has every bit set when nothing is there; a link is a reparse point whatever it points at.
        var info = new DirectoryInfo(folder);
        var attributes = info.Attributes;
        if (attributes == (FileAttributes)(-1) || (!info.Exists && (attributes & FileAttributes.ReparsePoint) == 0))
        {
            return null;
        }

        return new FileStep
        {
            Action = action,
            Principals = principals,
            Target = AsFolder(folder),
            Paths = [AsFolder(folder)],
            Note = note,
            Arguments = new Dictionary<string, string> { [BaseArgument] = baseFolder, [FolderArgument] = folder },
        };
    }

    /// <summary>
    /// The provider logout: one step per folder of each provider of <paramref name="request"/> that exists (every layout
    /// in <see cref="ProviderTarget.Folders"/>), deleting that folder.
    /// </summary>
    /// <param name="action">The plugin's action name for these steps.</param>
    /// <param name="request">The plan request.</param>
    public static IEnumerable<FileStep> ForProviders(string action, PlanRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Providers
            .SelectMany(p => p.Folders.Select(f => Plan(action, [p.Name], f.BaseFolder, f.Folder, NoteFor(p, f))))
            .OfType<FileStep>();
    }

    /// <summary>
    /// The provider logout, with a check that a provider folder under a configured <c>spec.files.base_path</c> is one
    /// atmos wrote: a folder there that holds entries but none of <paramref name="atmosNames"/> (nor lock or temporary
    /// files) is left alone, and the step fails naming the setting — a <c>base_path</c> pointing at the wrong folder
    /// must not make a logout delete, say, <c>~/projects/&lt;provider&gt;</c>.
    /// </summary>
    /// <param name="action">The plugin's action name for these steps.</param>
    /// <param name="request">The plan request.</param>
    /// <param name="atmosNames">The names atmos (or the tool it configures) writes in a provider folder, such as <c>credentials</c> and <c>config</c>.</param>
    public static IEnumerable<FileStep> ForProviders(string action, PlanRequest request, IReadOnlyCollection<string> atmosNames)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Providers
            .SelectMany(p => p.Folders.Select(f => Plan(action, [p.Name], f.BaseFolder, f.Folder, NoteFor(p, f)) is { } step ? RequireAtmosContent(step, p, f, atmosNames) : null))
            .OfType<FileStep>();
    }

    /// <summary>
    /// The same step, checked at removal to be a folder atmos wrote when <paramref name="folder"/> lies under the
    /// provider's configured <c>spec.files.base_path</c> (see <see cref="ForProviders(string, PlanRequest, IReadOnlyCollection{string})"/>);
    /// a folder in atmos's default location (a provider without a base_path, the identities' default folder) is atmos's
    /// own and is not checked. When planning already sees foreign content, the step's note says it will be left alone.
    /// </summary>
    /// <param name="step">A step made by <see cref="Plan"/> for the folder.</param>
    /// <param name="provider">The provider.</param>
    /// <param name="folder">The folder of <paramref name="provider"/> the step removes (one of <see cref="ProviderTarget.Folders"/>).</param>
    /// <param name="atmosNames">The names atmos (or the tool it configures) writes in a provider folder.</param>
    public static FileStep RequireAtmosContent(FileStep step, ProviderTarget provider, ProviderFolder folder, IReadOnlyCollection<string> atmosNames)
    {
        ArgumentNullException.ThrowIfNull(step);
        ArgumentNullException.ThrowIfNull(provider);
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentNullException.ThrowIfNull(atmosNames);
        if (provider.UsesDefaultBase || folder.Layout == FolderLayout.IdentityDefault)
        {
            return step;
        }

        var setting = $"providers.{provider.Name}.spec.files.base_path";
        var arguments = new Dictionary<string, string>(step.Arguments)
        {
            [AtmosNamesArgument] = string.Join('\n', atmosNames),
            [SettingArgument] = setting,
        };
        var foreign = ForeignContent(step.Arguments[FolderArgument], atmosNames) is not null;
        return step with { Arguments = arguments, Note = foreign ? $"holds no atmos files: left alone, check {setting}" : step.Note };
    }

    /// <summary>
    /// Deletes the folder of a step made by <see cref="Plan"/>: removed, not found, or failed with the reason. A folder
    /// that is a symbolic link is unlinked, never followed, and when the folder it pointed at still holds something the
    /// step fails saying so (the credentials there were not removed). Nothing is thrown.
    /// </summary>
    /// <param name="step">The step.</param>
    /// <param name="environment">For showing paths with <c>~</c>.</param>
    public static StepResult Execute(FileStep step, PluginEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(step);
        ArgumentNullException.ThrowIfNull(environment);
        var folder = step.Arguments[FolderArgument];
        try
        {
            using var parent = ContainedPath.ParentOf(step.Arguments[BaseArgument], folder, out var name);
            var entry = parent?.GetEntry(name) ?? EntryInfo.Missing;
            switch (entry.Kind)
            {
                case EntryKind.Missing:
                    return StepResult.NotFound($"{environment.Display(folder)} does not exist");
                case EntryKind.Inaccessible:
                    return StepResult.Failed("cannot check: permission denied", $"{environment.Display(folder)} cannot be checked (permission denied); its credentials may still be there: check with ls -la {environment.Display(Path.GetDirectoryName(folder) ?? folder)}");
                case EntryKind.SymbolicLink:
                    return UnlinkFolderLink(parent!, name, folder, environment);
                case EntryKind.Folder when step.Arguments.TryGetValue(AtmosNamesArgument, out var names)
                    && ForeignContent(parent!, name, names.Split('\n')) is { } sample:
                    return StepResult.Failed(
                        "left alone: not an atmos folder",
                        $"{environment.Display(folder)} holds {sample} and none of the files atmos writes there ({names.Replace('\n', ',').Replace(",", ", ", StringComparison.Ordinal)}), so it was left alone; check {step.Arguments[SettingArgument]}");
                default:
                    return parent!.Delete(name) ? StepResult.Removed() : StepResult.NotFound($"{environment.Display(folder)} does not exist");
            }
        }
        catch (Exception ex)
        {
            return StepResults.FromException(ex, folder, environment);
        }
    }

    /// <summary><see cref="DefaultBaseNote"/> when the provider uses the default base folder, else null.</summary>
    /// <param name="provider">The provider.</param>
    public static string? NoteFor(ProviderTarget provider)
    {
        ArgumentNullException.ThrowIfNull(provider);
        return provider.UsesDefaultBase ? DefaultBaseNote : null;
    }

    /// <summary>
    /// The note for one of a provider's folders: <see cref="DefaultBaseNote"/> for a folder in atmos's default (XDG)
    /// location — the current or no-realm layout of a provider without a base_path, or the identities' default folder
    /// of one with a base_path — else null.
    /// </summary>
    /// <param name="provider">The provider.</param>
    /// <param name="folder">One of its <see cref="ProviderTarget.Folders"/>.</param>
    public static string? NoteFor(ProviderTarget provider, ProviderFolder folder)
    {
        ArgumentNullException.ThrowIfNull(provider);
        ArgumentNullException.ThrowIfNull(folder);
        return folder.Layout switch
        {
            FolderLayout.IdentityDefault => DefaultBaseNote,
            FolderLayout.BasePathV1199 => null,
            _ => NoteFor(provider),
        };
    }

    /// <summary>The argument listing (one per line) the names that make a provider folder one atmos wrote.</summary>
    public const string AtmosNamesArgument = "atmos_names";

    /// <summary>The argument naming the setting that put the folder where it is, for messages.</summary>
    public const string SettingArgument = "setting";

    /// <summary>A folder path the way steps show folders: ending with the directory separator.</summary>
    /// <param name="folder">An absolute folder path.</param>
    public static string AsFolder(string folder) => Path.TrimEndingDirectorySeparator(folder) + Path.DirectorySeparatorChar;

    // The link goes (it is inside the base folder); what it pointed at is never entered. When that still holds
    // something, the credentials there were not removed, and the step says so rather than "removed".
    private static StepResult UnlinkFolderLink(FolderHandle parent, string name, string folder, PluginEnvironment environment)
    {
        var target = parent.ReadLink(name);
        parent.Unlink(name); // only ever the link: if a folder was swapped in meanwhile, that fails rather than deletes it
        if (target is null)
        {
            return StepResult.Removed();
        }

        var resolved = Path.GetFullPath(target, parent.FullPath);
        string holds;
        try
        {
            var names = Directory.Exists(resolved) ? Directory.EnumerateFileSystemEntries(resolved).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList() : null;
            if (names is null || names.Count == 0)
            {
                return StepResult.Removed(); // it pointed at nothing, or at an empty folder: nothing is left behind
            }

            holds = $"still holds {string.Join(", ", names.Take(5))}{(names.Count > 5 ? $" and {names.Count - 5} more" : string.Empty)}";
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            holds = "may still hold credentials (it cannot be listed)";
        }

        return StepResult.Failed(
            "link removed, target kept",
            $"{environment.Display(folder)} was a symbolic link to {environment.Display(resolved)}; atmos removed the link but never deletes through one, so {environment.Display(resolved)} {holds}; remove it by hand if those credentials should go");
    }

    // A sample entry name when the folder holds entries but none of atmos's (nor lock or temporary files); else null.
    private static string? ForeignContent(FolderHandle parent, string name, IReadOnlyCollection<string> atmosNames)
    {
        using var folder = parent.OpenFolder(name);
        return folder is null ? null : Foreign(folder.GetNames(), atmosNames);
    }

    private static string? ForeignContent(string folder, IReadOnlyCollection<string> atmosNames)
    {
        try
        {
            return Foreign(Directory.EnumerateFileSystemEntries(folder).Select(p => Path.GetFileName(p)).ToList(), atmosNames);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null; // cannot tell while planning: the removal checks again
        }
    }

    private static string? Foreign(IReadOnlyList<string> names, IReadOnlyCollection<string> atmosNames) =>
        names.Count == 0 || names.Any(n => atmosNames.Contains(n) || n.EndsWith(FileLock.Suffix, StringComparison.Ordinal) || n.EndsWith(AtomicFile.TempSuffix, StringComparison.Ordinal))
            ? null
            : names.Order(StringComparer.Ordinal).First();
}
