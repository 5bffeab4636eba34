using System.Globalization;
using System.Text;
using Atmos.Plugins.Contracts.Safety;
using Atmos.Plugins.Reliability.Helper;

// Usage:
//   remove <file> <names-file>   remove the sections named in <names-file> (one per line) from the INI <file>, one
//                                locked atomic edit per name (AtomicFile.Edit + IniDocument), exactly as a logout does.
//   append <file> <prefix>       until standard input closes, append "[<prefix>-<n>]" sections to <file> in place while
//                                holding <file>.lock (FileLock): a cooperating writer that is not atmos. Prints the
//                                number of sections appended.
//   increment <file> <count>     <count> times, add 1 to the number in <file> with a locked atomic edit (lost-update check).
//   flock-append <file> <prefix> like append, but locking exactly as real atmos (gofrs/flock) and flock(1) do: open
//                                <file>.lock with O_CREAT|O_RDWR (following nothing special, never unlinking it),
//                                flock(LOCK_EX) blocking, append in place, flock(LOCK_UN), close. Prints the count.
//   swap <a> <b>                 the swap race: on "go" (a line on standard input) exchange <a> and <b> with
//                                renameat2(RENAME_EXCHANGE) in a tight loop; on "stop" finish with an even number of
//                                exchanges (both back in place) and print "stopped <exchanges>"; exit at end of input.
// All print "ready" once started, so a test can time a kill from there.
var timeout = TimeSpan.FromSeconds(30);
switch (args)
{
    case ["remove", var file, var namesFile]:
        var names = File.ReadAllLines(namesFile);
        Ready();
        foreach (var name in names)
        {
            AtomicFile.Edit(file, bytes => IniDocument.Parse(bytes, file).RemoveSections(header => header == name, out _), timeout);
        }

        return 0;

    case ["append", var file, var prefix]:
        var stop = Task.Run(() => Console.In.ReadToEnd());
        Ready();
        var count = 0;
        do
        {
            using (FileLock.Acquire(file, timeout))
            {
                using var stream = new FileStream(file, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
                stream.Write(Encoding.UTF8.GetBytes(HelperProtocol.AppendedSection(prefix, count)));
                stream.Flush(flushToDisk: true);
            }

            count++;
            Thread.Sleep(1); // leave the other processes some of the two cores
        }
        while (!stop.IsCompleted);

        Console.Out.WriteLine(count);
        return 0;

    case ["increment", var file, var countText]:
        Ready();
        for (var i = 0; i < int.Parse(countText, CultureInfo.InvariantCulture); i++)
        {
            AtomicFile.Edit(file, bytes => FileEdit.Replace(HelperProtocol.Increment(bytes)), timeout);
        }

        return 0;

    case ["flock-append", var file, var prefix]:
        var done = Task.Run(() => Console.In.ReadToEnd());
        Ready();
        var appended = 0;
        do
        {
            PlainFlock.Append(file, Encoding.UTF8.GetBytes(HelperProtocol.AppendedSection(prefix, appended)));
            appended++;
            Thread.Sleep(1);
        }
        while (!done.IsCompleted);

        Console.Out.WriteLine(appended);
        return 0;

    case ["swap", var a, var b]:
        Ready();
        return Swapper.Run(a, b);

    default:
        Console.Error.WriteLine("usage: helper remove <file> <names-file> | append <file> <prefix> | increment <file> <count> | flock-append <file> <prefix> | swap <a> <b>");
        return 2;
}

static void Ready()
{
    Console.Out.WriteLine(HelperProtocol.Ready);
    Console.Out.Flush();
}
