using System.Runtime.InteropServices;

namespace Atmos.Plugins.Reliability.Helper;

/// <summary>
/// A writer that locks as real atmos does with gofrs/flock (and as flock(1) does): <c>open(&lt;file&gt;.lock,
/// O_CREAT|O_RDWR, 0600)</c>, <c>flock(LOCK_EX)</c> waiting as long as it takes, write, <c>flock(LOCK_UN)</c>, close. It
/// never unlinks the lock file and never checks whether it is still linked: exactly the writer the old atmos.plugins
/// protocol (which unlinked lock files) lost updates against.
/// </summary>
internal static partial class PlainFlock
{
    private const int LockExclusive = 2;
    private const int Unlock = 8;

    public static void Append(string file, byte[] section)
    {
        // O_CREAT|O_RDWR (Linux values; the helper runs where the tests run).
        var fd = Open(file + ".lock", 0x40 | 0x2, 0x180);
        if (fd < 0)
        {
            throw new IOException($"open {file}.lock failed: {Marshal.GetLastPInvokeErrorMessage()}");
        }

        try
        {
            while (Flock(fd, LockExclusive) != 0)
            {
                if (Marshal.GetLastPInvokeError() != 4)
                {
                    throw new IOException($"flock {file}.lock failed: {Marshal.GetLastPInvokeErrorMessage()}");
                }
            }

            using (var stream = new FileStream(file, FileMode.Append, FileAccess.Write, FileShare.ReadWrite))
            {
                stream.Write(section);
                stream.Flush(flushToDisk: true);
            }

            _ = Flock(fd, Unlock);
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Open(string path, int flags, uint mode);

    [LibraryImport("libc", EntryPoint = "flock", SetLastError = true)]
    private static partial int Flock(int fd, int operation);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}

/// <summary>
/// The swap race of issue 17: a process exchanging a folder with a symbolic link (<c>renameat2(RENAME_EXCHANGE)</c>)
/// as fast as it can while a logout runs, so that any check made by path and the operation it guards see different
/// things. Commands on standard input: <c>go</c>, <c>stop</c>.
/// </summary>
internal static partial class Swapper
{
    private const int CurrentFolder = -100;
    private const uint Exchange = 2;

    public static int Run(string a, string b)
    {
        long exchanges = 0;
        var running = false;
        Thread? worker = null;
        string? line;
        while ((line = Console.In.ReadLine()) is not null)
        {
            if (line == "go" && !running)
            {
                running = true;
                worker = new Thread(() =>
                {
                    while (Volatile.Read(ref running))
                    {
                        if (RenameAt2(CurrentFolder, a, CurrentFolder, b, Exchange) == 0)
                        {
                            Interlocked.Increment(ref exchanges);
                        }
                    }
                }) { IsBackground = true };
                worker.Start();
            }
            else if (line == "stop" && running)
            {
                Volatile.Write(ref running, false);
                worker!.Join();
                if (exchanges % 2 != 0 && RenameAt2(CurrentFolder, a, CurrentFolder, b, Exchange) == 0)
                {
                    // Put both back where they were (when both are still there: a logout may have removed one).
                    exchanges++;
                }

                Console.Out.WriteLine($"stopped {exchanges}");
                Console.Out.Flush();
                exchanges = 0;
            }
        }

        return 0;
    }

    [LibraryImport("libc", EntryPoint = "renameat2", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int RenameAt2(int fromFolder, string from, int toFolder, string to, uint flags);
}
