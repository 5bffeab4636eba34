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

    /// <summary>Deletes the folder of a step made by <see cref="Plan"/>: removed, not found, or failed with the reason.</summary>
    /// <param name="step">The step.</param>
    /// <param name="environment">For showing paths with <c>~</c>.</param>
    public static StepResult Execute(FileStep step, PluginEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(step);
        return StepResults.Delete(step.Arguments[BaseArgument], step.Arguments[FolderArgument], environment);
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

    /// <summary>A folder path the way steps show folders: ending with the directory separator.</summary>
    /// <param name="folder">An absolute folder path.</param>
    public static string AsFolder(string folder) => Path.TrimEndingDirectorySeparator(folder) + Path.DirectorySeparatorChar;
}
