using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Atmos.Plugins.PluginHost;

/// <summary>
/// Takes the process's standard input and output for the protocol before any plugin code runs, and leaves the plugin a
/// standard output that is the standard error and a standard input that is empty. So whatever the plugin writes to the
/// console, through <see cref="Console"/>, a raw stream of file descriptor 1 or a child process it starts, lands on
/// standard error (which atmos reads as the plugin's debug output) and can never corrupt the protocol or atmos's
/// standard output; and whatever it reads from the console cannot steal atmos's calls.
/// </summary>
internal static partial class StandardStreams
{
    /// <summary>The protocol's input and output streams.</summary>
    public static (Stream Input, Stream Output) TakeForProtocol()
    {
        if (OperatingSystem.IsWindows())
        {
            // Only the managed console can be redirected here; documented in docs/writing-a-plugin.md.
            var input = Console.OpenStandardInput();
            var output = Console.OpenStandardOutput();
            Console.SetOut(Console.Error);
            Console.SetIn(TextReader.Null);
            return (input, output);
        }

        // Copies of descriptors 0 and 1 that the plugin never sees (close-on-exec: not inherited by its children), then
        // 1 becomes a copy of 2 and 0 reads /dev/null.
        var protocolIn = Private(Libc.Dup(0));
        var protocolOut = Private(Libc.Dup(1));
        var empty = Libc.Open("/dev/null", 0);
        if (empty < 0 || Libc.Dup2(2, 1) < 0 || Libc.Dup2(empty, 0) < 0)
        {
            throw new IOException($"cannot set up the plugin's standard streams (errno {Marshal.GetLastPInvokeError()})");
        }

        Libc.Close(empty);
        return (
            new FileStream(new SafeFileHandle(protocolIn, ownsHandle: true), FileAccess.Read, 1),
            new FileStream(new SafeFileHandle(protocolOut, ownsHandle: true), FileAccess.Write, 1));
    }

    private static nint Private(int fd)
    {
        if (fd < 0 || Libc.Fcntl(fd, Libc.SetDescriptorFlags, Libc.CloseOnExec) < 0)
        {
            throw new IOException($"cannot set up the protocol's streams (errno {Marshal.GetLastPInvokeError()})");
        }

        return fd;
    }

    private static partial class Libc
    {
        public const int SetDescriptorFlags = 2;
        public const int CloseOnExec = 1;

        [LibraryImport("libc", EntryPoint = "dup", SetLastError = true)]
        public static partial int Dup(int fd);

        [LibraryImport("libc", EntryPoint = "dup2", SetLastError = true)]
        public static partial int Dup2(int fd, int target);

        [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        public static partial int Open(string path, int flags);

        [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
        public static partial int Close(int fd);

        [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
        public static partial int Fcntl(int fd, int command, int argument);
    }
}
