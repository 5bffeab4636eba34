using System.ComponentModel;
using System.Diagnostics;

namespace Atmos.Plugins.Engine.Keyring.MacOS;

/// <summary>
/// The macOS system keyring: generic password items with service <c>&lt;name&gt;</c> and account <c>atmos-auth</c> in
/// the keychain search list, through <c>/usr/bin/security</c>.
/// </summary>
/// <remarks>
/// <para>Listing parses <c>security dump-keychain</c>, which prints item attributes only: no secret is read and no
/// access prompt appears. Repeated lookups cannot list, because the names are what we are looking for.</para>
/// <para>Reading runs one <c>find-generic-password</c> per name that exists (the tool has no batch lookup; a batch is
/// narrowed down by one listing first). Writing pipes the command to <c>security -i</c> so the value never appears in
/// the process list. Removing repeats <c>delete-generic-password</c>, which deletes one item per run, until none is
/// left.</para>
/// </remarks>
public sealed class MacOSKeychain : IKeyring
{
    /// <summary>From this many names on, <see cref="GetManyAsync"/> lists the keychain first (one run) instead of looking each name up.</summary>
    internal const int ListFirstFrom = 3;

    // Guards against a tool that keeps reporting success without deleting anything.
    private const int MaxDuplicates = 64;

    private readonly string _securityPath;

    /// <summary>Creates the keyring over <c>/usr/bin/security</c>.</summary>
    public MacOSKeychain()
        : this(SecurityTool.ExecutablePath)
    {
    }

    internal MacOSKeychain(string securityPath) => _securityPath = securityPath;

    /// <inheritdoc />
    public string Backend => "keychain";

    /// <inheritdoc />
    public async Task<IReadOnlyList<string>> ListAsync(CancellationToken cancellationToken)
    {
        var result = await RunAsync(SecurityTool.DumpArguments(), null, cancellationToken).ConfigureAwait(false);
        SecurityTool.Check(result);
        return SecurityTool.ParseDump(result.StandardOutput);
    }

    /// <inheritdoc />
    /// <remarks>
    /// The tool reads one item per run, so a batch of <see cref="ListFirstFrom"/> or more names (every key form of a
    /// chain) first lists what exists with one <c>dump-keychain</c> and then reads only those: a chain of three with
    /// six key forms each costs two or three runs instead of eighteen.
    /// </remarks>
    public async Task<IReadOnlyDictionary<string, string?>> GetManyAsync(IReadOnlyCollection<string> names, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(names);
        var found = new Dictionary<string, string?>(StringComparer.Ordinal);
        var wanted = names.Distinct(StringComparer.Ordinal).ToList();
        if (wanted.Count >= ListFirstFrom)
        {
            var existing = (await ListAsync(cancellationToken).ConfigureAwait(false)).ToHashSet(StringComparer.Ordinal);
            wanted.RemoveAll(name => !existing.Contains(name));
        }

        foreach (var name in wanted)
        {
            var result = await RunAsync(SecurityTool.FindArguments(name), null, cancellationToken).ConfigureAwait(false);
            if (SecurityTool.Check(result))
            {
                found[name] = SecurityTool.DecodePassword(result.StandardOutput);
            }
        }

        return found;
    }

    /// <inheritdoc />
    public async Task<bool> RemoveAsync(string name, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var removed = false;
        for (var i = 0; i < MaxDuplicates; i++)
        {
            var result = await RunAsync(SecurityTool.DeleteArguments(name), null, cancellationToken).ConfigureAwait(false);
            if (!SecurityTool.Check(result))
            {
                return removed;
            }

            removed = true;
        }

        throw new KeyringOperationException(
            $"more than {MaxDuplicates} keychain items for '{name}' could not all be removed",
            "remove them in Keychain Access");
    }

    /// <inheritdoc />
    public async Task SetAsync(string name, string secret, CancellationToken cancellationToken)
    {
        var command = SecurityTool.AddCommand(name, secret);
        var result = await RunAsync(SecurityTool.InteractiveArguments(), command, cancellationToken).ConfigureAwait(false);
        if (!SecurityTool.Check(result, SecurityTool.Encode(secret), secret))
        {
            throw new KeyringOperationException($"the macOS keychain did not store '{name}'", "check the keychain in Keychain Access");
        }
    }

    private async Task<ProcessResult> RunAsync(IReadOnlyList<string> arguments, string? standardInput, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(_securityPath);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            return await ExternalProcess.RunAsync(start, standardInput, cancellationToken).ConfigureAwait(false);
        }
        catch (Win32Exception ex)
        {
            throw new KeyringUnavailableException(
                $"cannot run {_securityPath} ({ex.Message})",
                "run on macOS with the security tool installed, or set auth.keyring.type: file",
                ex);
        }
    }
}
