namespace Atmos.Plugins.Contracts.Safety;

/// <summary>Options for opening files that only their owner may read (mode 0600 where the platform has modes).</summary>
public static class PrivateFile
{
    /// <summary>Options with exclusive sharing and, on Unix, mode 0600 for a newly created file.</summary>
    /// <param name="mode">How to open.</param>
    /// <param name="access">Read, write or both.</param>
    public static FileStreamOptions Options(FileMode mode, FileAccess access)
    {
        var options = new FileStreamOptions { Mode = mode, Access = access, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = AtomicFile.FileMode0600;
        }

        return options;
    }
}
