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
/// <para>Reading runs one <c>find-generic-password</c> per name (the tool has no batch lookup). Writing pipes the
/// command to <c>security -i</c> so the value never appears in the process list. Removing repeats
/// <c>delete-generic-password</c>, which deletes one item per run, until none is left.</para>
/// </remarks>
public sealed class MacOSKeychain : IKeyring
{
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
    public async Task<IReadOnlyDictionary<string, string>> GetManyAsync(IReadOnlyCollection<string> names, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(names);
        var found = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in names.Distinct(StringComparer.Ordinal))
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
