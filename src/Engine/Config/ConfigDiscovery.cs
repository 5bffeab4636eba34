namespace Atmos.Plugins.Engine.Config;

/// <summary>What selects and evaluates the configuration: the command line's config flags and the process around it.</summary>
public sealed record ConfigRequest
{
    /// <summary>The environment variables.</summary>
    public required IReadOnlyDictionary<string, string> Environment { get; init; }

    /// <summary>The current folder.</summary>
    public required string WorkingDirectory { get; init; }

    /// <summary>The home folder.</summary>
    public required string Home { get; init; }

    /// <summary>atmos's system config folder: <c>/usr/local/etc/atmos</c> (<c>%LOCALAPPDATA%\atmos</c> on Windows); null for none.</summary>
    public string? SystemFolder { get; init; }

    /// <summary><c>--config FILE</c>, each given (repeatable, comma-separated); else <c>$ATMOS_CONFIG</c>.</summary>
    public IReadOnlyList<string> ConfigFiles { get; init; } = [];

    /// <summary><c>--config-path DIR</c>, each given (repeatable, comma-separated); else <c>$ATMOS_CONFIG_PATH</c>.</summary>
    public IReadOnlyList<string> ConfigPaths { get; init; } = [];

    /// <summary><c>--profile NAME</c>, each given (repeatable, comma-separated); else <c>$ATMOS_PROFILE</c>, else <c>profiles.default</c>.</summary>
    public IReadOnlyList<string> Profiles { get; init; } = [];

    /// <summary>Whether <c>!exec</c> may run (false while completing a command line).</summary>
    public bool RunCommands { get; init; } = true;

    /// <summary>How a file is named in messages (for example with <c>~</c> for home).</summary>
    public Func<string, string> Display { get; init; } = static path => path;

    /// <summary>atmos's default system folder on this OS.</summary>
    public static string DefaultSystemFolder =>
        OperatingSystem.IsWindows() ? Path.Join(System.Environment.GetFolderPath(System.Environment.SpecialFolder.LocalApplicationData), "atmos") : "/usr/local/etc/atmos";

    /// <summary>A variable's value, or null when unset or empty.</summary>
    /// <param name="name">The variable.</param>
    public string? Variable(string name) => Environment.TryGetValue(name, out var value) && value.Length > 0 ? value : null;

    /// <summary>A path as typed (tilde expanded), made absolute against the working folder.</summary>
    /// <param name="path">The path.</param>
    public string Absolute(string path) => Path.GetFullPath(PathExpansion.ExpandTilde(path, Home) ?? path, WorkingDirectory);
}

/// <summary>How atmos merges a main config file.</summary>
public enum MergeMode
{
    /// <summary>
    /// As a group (<c>mergeConfig</c>): the <c>.atmos.d/</c> and <c>atmos.d/</c> files of its folder and of the Git
    /// root, the file, its imports, then the file again so it wins over what it imports.
    /// </summary>
    Group,

    /// <summary>The file alone, no imports (the system file).</summary>
    Alone,

    /// <summary>The file, then the imports the merged config lists (a <c>--config</c> file: <c>mergeFiles</c>).</summary>
    Direct,
}

/// <summary>One atmos.yaml to merge, and how atmos merges it.</summary>
/// <param name="Path">The file.</param>
/// <param name="Source">Where it was found: system, home, parent, git-root, working, ATMOS_CLI_CONFIG_PATH, --config-path, --config.</param>
/// <param name="Mode">How it is merged.</param>
public sealed record MainConfigFile(string Path, string Source, MergeMode Mode = MergeMode.Group);

/// <summary>
/// Which atmos.yaml files a run merges, lowest precedence first, exactly as atmos's <c>LoadConfig</c>
/// (<c>pkg/config/load.go</c>, <c>load_config_args.go</c>) finds them. With <c>--config</c> or <c>--config-path</c>
/// (or <c>$ATMOS_CONFIG</c> / <c>$ATMOS_CONFIG_PATH</c>) only those are read: each <c>--config</c> file, then each
/// <c>--config-path</c> folder's atmos.yaml. Otherwise: the system folder; <c>~/.atmos</c>; when the working folder has
/// no atmos config of its own (and <c>$ATMOS_CLI_CONFIG_PATH</c> is unset) the nearest parent folder holding one and
/// the Git worktree root; the working folder; <c>$ATMOS_CLI_CONFIG_PATH</c>. In each folder <c>atmos.yaml</c>, else
/// <c>atmos.yml</c>. A path given explicitly that does not exist is an error, never a silent fallback.
/// </summary>
public static class ConfigDiscovery
{
    /// <summary>The file name looked for in folders.</summary>
    public const string FileName = "atmos.yaml";

    /// <summary>The names atmos accepts in a folder, in the order it prefers them.</summary>
    public static IReadOnlyList<string> FileNames { get; } = ["atmos.yaml", "atmos.yml"];

    /// <summary>The main files to merge, lowest precedence first, or an error naming the path and the fix.</summary>
    /// <param name="request">Flags and process.</param>
    /// <param name="error">A problem with a path given explicitly.</param>
    /// <param name="searched">Every place looked in (for the "nothing found" message).</param>
    public static IReadOnlyList<MainConfigFile> Find(ConfigRequest request, out string? error, out IReadOnlyList<string> searched)
    {
        ArgumentNullException.ThrowIfNull(request);
        var looked = new List<string>();
        searched = looked;
        var files = Explicit(request, out error);
        if (error is not null || files.Count > 0)
        {
            return files;
        }

        var found = new List<MainConfigFile>();
        void Add(string? folder, string source, MergeMode mode = MergeMode.Group)
        {
            if (folder is null)
            {
                return;
            }

            looked.Add(Path.Join(folder, FileName));
            if (InFolder(folder) is { } file && !found.Any(f => f.Path == file))
            {
                found.Add(new MainConfigFile(file, source, mode));
            }
        }

        var cwd = request.WorkingDirectory;
        Add(request.SystemFolder, "system", MergeMode.Alone);
        if (request.Home.Length > 0)
        {
            Add(Path.Join(request.Home, ".atmos"), "home");
        }

        var fromEnvironment = request.Variable("ATMOS_CLI_CONFIG_PATH");
        if (fromEnvironment is null && !HasLocalConfig(cwd))
        {
            Add(ParentWithConfig(cwd), "parent");
            if (request.Variable("ATMOS_GIT_ROOT_BASEPATH") != "false" && GitRepository.Find(cwd)?.Root is { } root && root != cwd)
            {
                Add(root, "git-root");
            }
        }

        Add(cwd, "working");
        if (fromEnvironment is not null)
        {
            var path = request.Absolute(fromEnvironment);
            if (File.Exists(path))
            {
                // Accepted beside atmos's folder form: the file itself.
                found.RemoveAll(f => f.Path == path);
                found.Add(new MainConfigFile(path, "ATMOS_CLI_CONFIG_PATH"));
            }
            else if (!Directory.Exists(path))
            {
                error = $"ATMOS_CLI_CONFIG_PATH={fromEnvironment}: {request.Display(path)} does not exist; point it at the folder holding atmos.yaml, or unset it";
            }
            else if (InFolder(path) is { } file)
            {
                found.RemoveAll(f => f.Path == file);
                found.Add(new MainConfigFile(file, "ATMOS_CLI_CONFIG_PATH"));
            }
            else
            {
                error = $"ATMOS_CLI_CONFIG_PATH={fromEnvironment}: {request.Display(path)} holds no atmos.yaml or atmos.yml; point it at the folder holding atmos.yaml, or unset it";
            }
        }

        return found;
    }

    /// <summary>The config file atmos reads in a folder (<c>atmos.yaml</c>, else <c>atmos.yml</c>), or null.</summary>
    /// <param name="folder">The folder.</param>
    public static string? InFolder(string folder)
    {
        foreach (var name in FileNames)
        {
            var path = Path.Join(folder, name);
            if (File.Exists(path))
            {
                return path;
            }
        }

        return null;
    }

    /// <summary>
    /// Whether a folder holds atmos config of its own (atmos's <c>hasLocalAtmosConfig</c>): <c>atmos.yaml</c>,
    /// <c>.atmos.yaml</c>, <c>.atmos</c>, <c>.atmos.d</c> or <c>atmos.d</c>. Then neither parent folders nor the Git root
    /// are searched.
    /// </summary>
    /// <param name="folder">The folder.</param>
    public static bool HasLocalConfig(string folder) =>
        new[] { "atmos.yaml", ".atmos.yaml", ".atmos", ".atmos.d", "atmos.d" }.Any(name => Path.Exists(Path.Join(folder, name)));

    // --config files, then --config-path folders (atmos merges all files before all folders, whatever the order on the
    // line); the environment stands in for a flag not given.
    private static List<MainConfigFile> Explicit(ConfigRequest request, out string? error)
    {
        error = null;
        var files = request.ConfigFiles.Count > 0 ? request.ConfigFiles : Split(request.Variable("ATMOS_CONFIG"));
        var folders = request.ConfigPaths.Count > 0 ? request.ConfigPaths : Split(request.Variable("ATMOS_CONFIG_PATH"));
        var fileFlag = request.ConfigFiles.Count > 0 ? "--config" : "ATMOS_CONFIG";
        var folderFlag = request.ConfigPaths.Count > 0 ? "--config-path" : "ATMOS_CONFIG_PATH";
        var result = new List<MainConfigFile>();
        foreach (var given in files)
        {
            if (given.Contains('\0', StringComparison.Ordinal))
            {
                error = $"{fileFlag} contains a NUL character; pass the path of an existing atmos.yaml";
                return [];
            }

            var path = request.Absolute(given);
            if (!File.Exists(path))
            {
                error = Directory.Exists(path)
                    ? $"{fileFlag} {given} is a folder; pass the atmos.yaml file itself, or use --config-path for a folder"
                    : $"{fileFlag} {given} does not exist; pass the path of an existing atmos.yaml";
                return [];
            }

            result.Add(new MainConfigFile(path, fileFlag, MergeMode.Direct));
        }

        foreach (var given in folders)
        {
            var path = given.Contains('\0', StringComparison.Ordinal) ? string.Empty : request.Absolute(given);
            if (!Directory.Exists(path))
            {
                error = File.Exists(path)
                    ? $"{folderFlag} {given} is a file; pass the folder holding atmos.yaml, or use --config for a file"
                    : $"{folderFlag} {given} does not exist; pass the folder holding atmos.yaml";
                return [];
            }

            // atmos falls back to .atmos.yaml in a --config-path folder.
            var file = InFolder(path) ?? new[] { ".atmos.yaml", ".atmos.yml" }.Select(n => Path.Join(path, n)).FirstOrDefault(File.Exists);
            if (file is null)
            {
                error = $"{folderFlag} {given} holds no atmos.yaml, atmos.yml or .atmos.yaml; pass the folder holding atmos.yaml";
                return [];
            }

            result.Add(new MainConfigFile(file, folderFlag));
        }

        return result;
    }

    /// <summary>A comma-separated list as atmos reads its list variables and flags: trimmed, empty entries dropped.</summary>
    /// <param name="text">The text, or null.</param>
    public static IReadOnlyList<string> Split(string? text) =>
        text is null ? [] : text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    // The nearest folder above the working folder with atmos.yaml or .atmos.yaml (atmos's findAtmosConfigInParentDirs,
    // which searches up to the file system root); atmos then reads atmos.yaml/atmos.yml there.
    private static string? ParentWithConfig(string folder)
    {
        for (var dir = Path.GetDirectoryName(folder); !string.IsNullOrEmpty(dir); dir = Path.GetDirectoryName(dir))
        {
            if (File.Exists(Path.Join(dir, "atmos.yaml")) || File.Exists(Path.Join(dir, ".atmos.yaml")))
            {
                return dir;
            }
        }

        return null;
    }
}
