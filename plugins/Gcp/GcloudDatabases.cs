using System.Globalization;
using Atmos.Plugins.Contracts;
using Atmos.Plugins.Contracts.Safety;
using Microsoft.Data.Sqlite;

namespace Atmos.Plugins.Gcp;

/// <summary>One of gcloud's SQLite credential stores in a config folder.</summary>
/// <param name="FileName">The database file, relative to the config folder.</param>
/// <param name="Table">The table keyed by <c>account_id</c>.</param>
internal sealed record GcloudDatabase(string FileName, string Table)
{
    /// <summary><c>credentials(account_id TEXT PRIMARY KEY, value BLOB)</c>: each account's credential as JSON.</summary>
    public static GcloudDatabase Credentials { get; } = new("credentials.db", "credentials");

    /// <summary><c>access_tokens(account_id TEXT PRIMARY KEY, access_token TEXT, token_expiry TIMESTAMP, rapt_token TEXT, id_token TEXT)</c>.</summary>
    public static GcloudDatabase AccessTokens { get; } = new("access_tokens.db", "access_tokens");

    public static IReadOnlyList<GcloudDatabase> All { get; } = [Credentials, AccessTokens];
}

/// <summary>A SQLite failure on one database file.</summary>
internal sealed class GcloudDatabaseException : IOException
{
    public GcloudDatabaseException(string path, SqliteException inner)
        : base($"{path}: {inner.Message}", inner)
    {
        FilePath = path;
        Sqlite = inner;
    }

    public string FilePath { get; }

    public SqliteException Sqlite { get; }
}

/// <summary>A row's account and the one non-secret column worth showing (a credential's JSON for classification, or a token's expiry).</summary>
internal sealed record GcloudRow(string Account, string? Value, DateTimeOffset? Expires);

/// <summary>
/// Reads and deletes rows of gcloud's credential databases with a real SQLite client, the way gcloud opens them (the
/// default rollback journal, no pooling so no handle outlives the call). Writes take SQLite's own write lock
/// (<c>BEGIN IMMEDIATE</c>), which is the lock gcloud honours, with a bounded busy timeout.
/// </summary>
internal static class GcloudDatabases
{
    /// <summary>The rows of a database, or none when the file or its table does not exist. Opens read-only.</summary>
    /// <exception cref="GcloudDatabaseException">The database is locked past the timeout, corrupt, or not a database.</exception>
    public static List<GcloudRow> Read(string path, GcloudDatabase database, TimeSpan busyTimeout)
    {
        if (DatabaseFile(path, allowLink: true) is null)
        {
            return [];
        }

        try
        {
            return ReadRows(path, database, busyTimeout);
        }
        catch (SqliteException ex)
        {
            throw new GcloudDatabaseException(path, ex);
        }
    }

    private static List<GcloudRow> ReadRows(string path, GcloudDatabase database, TimeSpan busyTimeout)
    {
        using var connection = Open(path, SqliteOpenMode.ReadOnly, busyTimeout);
        if (!HasTable(connection, database))
        {
            return [];
        }

        using var command = connection.CreateCommand();
        command.CommandText = database == GcloudDatabase.Credentials
            ? $"SELECT account_id, value, NULL FROM \"{database.Table}\""
            : $"SELECT account_id, NULL, token_expiry FROM \"{database.Table}\"";
        using var reader = command.ExecuteReader();
        var rows = new List<GcloudRow>();
        while (reader.Read())
        {
            if (!reader.IsDBNull(0))
            {
                rows.Add(new GcloudRow(
                    reader.GetString(0),
                    reader.IsDBNull(1) ? null : reader.GetString(1),
                    reader.IsDBNull(2) ? null : ParseExpiry(reader.GetString(2))));
            }
        }

        return rows;
    }

    /// <summary>
    /// Deletes the accounts' rows from every database that exists, in one write transaction per database. Every
    /// transaction is opened (and so every write lock taken) before any row is deleted, and nothing is committed unless
    /// every delete succeeded; a database that is locked past the timeout or corrupt fails the whole call unchanged.
    /// </summary>
    /// <param name="folder">The gcloud config folder.</param>
    /// <param name="accounts">The accounts, matched without regard to case.</param>
    /// <param name="busyTimeout">How long to wait for another connection's lock.</param>
    /// <param name="committed">Told the file name of each database once its deletes are committed.</param>
    /// <returns>How many rows were deleted from each database, by file name.</returns>
    /// <exception cref="GcloudDatabaseException">A database is locked past the timeout, corrupt, or not a database.</exception>
    public static Dictionary<string, int> Delete(string baseFolder, string folder, IReadOnlyCollection<string> accounts, TimeSpan busyTimeout, Action<string> committed)
    {
        var current = folder;
        try
        {
            // Walked from the base folder without following links: a gcloud folder swapped for a link is refused.
            using var gcloud = FolderHandle.OpenBelow(baseFolder, folder);
            return gcloud is null ? [] : DeleteRows(gcloud, accounts, busyTimeout, committed, path => current = path);
        }
        catch (SqliteException ex)
        {
            throw new GcloudDatabaseException(current, ex);
        }
    }

    private static Dictionary<string, int> DeleteRows(FolderHandle gcloud, IReadOnlyCollection<string> accounts, TimeSpan busyTimeout, Action<string> committed, Action<string> working)
    {
        var folder = gcloud.FullPath;
        var opened = new List<(GcloudDatabase Database, SqliteConnection Connection, SqliteTransaction Transaction)>();
        try
        {
            foreach (var database in GcloudDatabase.All)
            {
                var path = Path.Join(folder, database.FileName);
                var entry = gcloud.GetEntry(database.FileName);
                if (entry.Kind == EntryKind.Missing)
                {
                    continue;
                }

                working(path);
                switch (entry.Kind)
                {
                    case EntryKind.SymbolicLink:
                        throw new UnsafePathException(path, "is a symbolic link; refusing to follow it");
                    case EntryKind.Inaccessible:
                        throw new UnauthorizedAccessException($"{path}: permission denied");
                    case not EntryKind.File:
                        throw new UnsafePathException(path, $"is {EntryInfo.Describe(entry.Kind)}, not a database file; atmos left it alone", "not a regular file");
                }

                var connection = Open(path, SqliteOpenMode.ReadWrite, busyTimeout);
                try
                {
                    opened.Add((database, connection, connection.BeginTransaction(deferred: false)));
                    CheckOpenedFile(path, entry);
                }
                catch
                {
                    connection.Dispose();
                    throw;
                }
            }

            var deleted = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var (database, connection, transaction) in opened)
            {
                working(Path.Join(folder, database.FileName));
                var count = 0;
                if (HasTable(connection, database, transaction))
                {
                    foreach (var account in accounts)
                    {
                        using var command = connection.CreateCommand();
                        command.Transaction = transaction;

                        // gcloud keys accounts by e-mail address; the configured address may differ in case.
                        command.CommandText = $"DELETE FROM \"{database.Table}\" WHERE account_id = $account COLLATE NOCASE";
                        command.Parameters.AddWithValue("$account", account);
                        count += command.ExecuteNonQuery();
                    }
                }

                deleted[database.FileName] = count;
            }

            foreach (var (database, _, transaction) in opened)
            {
                working(Path.Join(folder, database.FileName));
                transaction.Commit();
                committed(database.FileName);
            }

            return deleted;
        }
        finally
        {
            foreach (var (_, connection, transaction) in opened)
            {
                transaction.Dispose(); // rolls back what was not committed
                connection.Dispose();
            }
        }
    }

    // What is at a database path: null when nothing, the entry when a regular file (or, for reading, a link to one);
    // anything else (a FIFO would hang SQLite's open) fails naming it.
    private static EntryInfo? DatabaseFile(string path, bool allowLink)
    {
        var entry = SafeFile.Probe(path);
        if (entry.Kind == EntryKind.SymbolicLink && allowLink)
        {
            entry = SafeFile.Probe(path, followLinks: true);
        }

        return entry.Kind switch
        {
            EntryKind.Missing => null,
            EntryKind.File => entry,
            EntryKind.Inaccessible => throw new UnauthorizedAccessException($"{path}: permission denied"),
            _ => throw new UnsafePathException(path, $"is {EntryInfo.Describe(entry.Kind)}, not a database file; atmos left it alone", "not a regular file"),
        };
    }

    // SQLite opens by path. Once it has the file open (and locked), the file it holds must be the one the descriptor walk
    // found: a folder on the way swapped for a link in between would show as another file, and nothing is deleted.
    // Linux only (/proc/self/fd); elsewhere the walk's check stands alone.
    private static void CheckOpenedFile(string path, EntryInfo expected)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var name = "/" + Path.GetFileName(path);
        foreach (var descriptor in Directory.EnumerateFileSystemEntries("/proc/self/fd"))
        {
            string? target;
            try
            {
                target = new FileInfo(descriptor).LinkTarget;
            }
            catch (IOException)
            {
                continue; // closed meanwhile
            }

            if (target is not null && target.EndsWith(name, StringComparison.Ordinal)
                && SafeFile.Probe(descriptor, followLinks: true) is { Exists: true } opened && !opened.IsSameFileAs(expected))
            {
                throw new UnsafePathException(path, "was replaced while atmos opened it (a folder on the way was swapped for another); nothing was changed");
            }
        }
    }

    /// <summary>Turns a SQLite failure into a failed step: locked, corrupt, or another database error.</summary>
    /// <param name="failure">What failed, and where.</param>
    /// <param name="busyTimeout">How long the step waited for a lock.</param>
    /// <param name="environment">For showing paths with <c>~</c>.</param>
    /// <param name="done">What the step had already changed, as a clause such as "nothing was changed".</param>
    public static StepResult Failure(GcloudDatabaseException failure, TimeSpan busyTimeout, PluginEnvironment environment, string done)
    {
        var shown = environment.Display(failure.FilePath);
        var exception = failure.Sqlite;
        return exception.SqliteErrorCode switch
        {
            SQLitePCL.raw.SQLITE_BUSY or SQLitePCL.raw.SQLITE_LOCKED => StepResult.Failed(
                "locked by another process",
                $"{shown} stayed locked by another process (gcloud?) for {WholeSeconds(busyTimeout)} s; {done}; retry when it finishes"),
            SQLitePCL.raw.SQLITE_CORRUPT or SQLitePCL.raw.SQLITE_NOTADB => StepResult.Failed(
                "corrupt database, left untouched",
                $"{shown} is not a readable SQLite database ({exception.Message}); {done}; it was left untouched, fix or remove it by hand"),
            _ => StepResult.Failed("database error", $"{shown}: {exception.Message}; {done}"),
        };
    }

    private static SqliteConnection Open(string path, SqliteOpenMode mode, TimeSpan busyTimeout)
    {
        var seconds = WholeSeconds(busyTimeout);
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = mode, // never ReadWriteCreate: a missing database is not ours to create
            Pooling = false,
            DefaultTimeout = seconds,
        }.ToString());
        try
        {
            connection.Open();

            // SQLite waits for another connection's lock up to this long; the client's own retry stops at the same bound.
            using var command = connection.CreateCommand();
            command.CommandText = $"PRAGMA busy_timeout = {seconds * 1000}";
            command.ExecuteNonQuery();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private static bool HasTable(SqliteConnection connection, GcloudDatabase database, SqliteTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = $table";
        command.Parameters.AddWithValue("$table", database.Table);
        return command.ExecuteScalar() is not null;
    }

    // Microsoft.Data.Sqlite counts its timeout in whole seconds, and 0 would mean "wait forever".
    private static int WholeSeconds(TimeSpan timeout) => Math.Max(1, (int)Math.Ceiling(timeout.TotalSeconds));

    // Python's sqlite3 stores a datetime as "YYYY-MM-DD HH:MM:SS[.ffffff]"; gcloud's are naive UTC.
    private static DateTimeOffset? ParseExpiry(string text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : null;
}
