using System.Globalization;
using System.Text;

namespace Atmos.Plugins.Engine.Keyring.MacOS;

/// <summary>
/// Everything about talking to <c>/usr/bin/security</c> that does not need a Mac: the arguments of each command, the
/// mapping of its exit codes and messages, the parsing of <c>dump-keychain</c> and the decoding of passwords.
/// </summary>
/// <remarks>
/// Values are written as <c>go-keyring-base64:&lt;base64&gt;</c>, the encoding of the go-keyring library the Go
/// atmos uses, so entries stay readable by both. It also keeps <c>find-generic-password -w</c> from printing the value
/// as hex, which it does for any value with a byte outside printable ASCII.
/// </remarks>
internal static class SecurityTool
{
    /// <summary>The tool's path; a fixed path so a PATH entry cannot substitute another program.</summary>
    public const string ExecutablePath = "/usr/bin/security";

    /// <summary>Exit code of errSecItemNotFound (-25300): the tool exits with the OSStatus' low byte.</summary>
    public const int ItemNotFoundExitCode = 44;

    /// <summary>Exit code of errSecInteractionNotAllowed (-25308): the keychain is locked and no prompt may be shown.</summary>
    public const int InteractionNotAllowedExitCode = 36;

    /// <summary>Exit code of errSecAuthFailed (-25293).</summary>
    public const int AuthFailedExitCode = 51;

    /// <summary>Exit codes of errSecNoDefaultKeychain (-25307) and errSecNoSuchKeychain (-25294).</summary>
    public const int NoDefaultKeychainExitCode = 37;

    /// <inheritdoc cref="NoDefaultKeychainExitCode"/>
    public const int NoSuchKeychainExitCode = 50;

    /// <summary>Exit code of userCanceledErr (-128): the user denied an access prompt.</summary>
    public const int UserCanceledExitCode = 128;

    /// <summary>The prefix of values encoded with base64 (go-keyring ≥ 0.2.4 and us).</summary>
    public const string Base64Prefix = "go-keyring-base64:";

    /// <summary>The prefix of values encoded with hex (older go-keyring).</summary>
    public const string HexPrefix = "go-keyring-encoded:";

    // security -i reads commands into a 4096-byte buffer (MAX_LINE_LEN); longer lines would be cut.
    private const int MaxInteractiveLine = 4095;

    private const string LockedFix = "unlock it (security unlock-keychain) or run atmos in your desktop session, or set auth.keyring.type: file";

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Arguments that print the password of the entry's item, alone, on stdout.</summary>
    /// <param name="name">The entry name (the item's service).</param>
    public static IReadOnlyList<string> FindArguments(string name) => ["find-generic-password", "-s", name, "-a", IKeyring.User, "-w"];

    /// <summary>Arguments that delete the first item of the entry.</summary>
    /// <param name="name">The entry name.</param>
    public static IReadOnlyList<string> DeleteArguments(string name) => ["delete-generic-password", "-s", name, "-a", IKeyring.User];

    /// <summary>Arguments that print the attributes (never the secrets) of every item in the search list.</summary>
    public static IReadOnlyList<string> DumpArguments() => ["dump-keychain"];

    /// <summary>Arguments of interactive mode, which reads commands from stdin.</summary>
    public static IReadOnlyList<string> InteractiveArguments() => ["-i"];

    /// <summary>
    /// The stdin line of <c>security -i</c> that creates or updates the entry's item, exactly as go-keyring's Set writes
    /// it (no label: the keychain then labels the item with its service). The value goes through stdin so it never
    /// appears in the process list, as it would with <c>-w</c> on the command line.
    /// </summary>
    /// <param name="name">The entry name.</param>
    /// <param name="secret">The value.</param>
    public static string AddCommand(string name, string secret)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(secret);
        if (name.AsSpan().IndexOfAny('\r', '\n') >= 0)
        {
            throw new KeyringOperationException(
                "entry name contains a line break, which the macOS keychain tool cannot take",
                "use an identity or provider name without line breaks");
        }

        var line = string.Create(
            CultureInfo.InvariantCulture,
            $"add-generic-password -U -s {Quote(name)} -a {Quote(IKeyring.User)} -w {Quote(Encode(secret))}\n");
        if (Encoding.UTF8.GetByteCount(line) > MaxInteractiveLine)
        {
            throw new KeyringOperationException(
                $"value of '{name}' is too large for the macOS keychain tool (its command line holds at most 4 KB)",
                "set auth.keyring.type: file for credentials this large");
        }

        return line;
    }

    /// <summary>Encodes a value the way it is stored.</summary>
    /// <param name="secret">The value.</param>
    public static string Encode(string secret) => Base64Prefix + Convert.ToBase64String(Encoding.UTF8.GetBytes(secret));

    /// <summary>The value printed by <c>find-generic-password -w</c>, decoded.</summary>
    /// <param name="output">The tool's stdout.</param>
    public static string DecodePassword(string output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var text = output.EndsWith('\n') ? output[..^1] : output;
        if (text.StartsWith(Base64Prefix, StringComparison.Ordinal) && TryFromBase64(text[Base64Prefix.Length..], out var fromBase64))
        {
            return Encoding.UTF8.GetString(fromBase64);
        }

        if (text.StartsWith(HexPrefix, StringComparison.Ordinal) && TryFromHex(text[HexPrefix.Length..], out var fromHex))
        {
            return Encoding.UTF8.GetString(fromHex);
        }

        // The tool prints a value as hex only when it holds a byte outside printable ASCII (or a backslash), so hex
        // that decodes to such bytes, forming UTF-8 text, was printed that way; other hex was the value itself.
        if (TryFromHex(text, out var bytes) && bytes.Any(b => b is < 0x20 or > 0x7e or (byte)'\\') && TryUtf8(bytes, out var decoded))
        {
            return decoded;
        }

        return text;
    }

    /// <summary>The entry names of <c>dump-keychain</c> output: services of generic passwords whose account is ours.</summary>
    /// <param name="output">The tool's stdout.</param>
    public static IReadOnlyList<string> ParseDump(string output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var names = new SortedSet<string>(StringComparer.Ordinal);
        var isGenericPassword = false;
        string? account = null;
        string? service = null;
        foreach (var rawLine in output.Split('\n'))
        {
            var line = rawLine.TrimEnd('\r');
            if (line.StartsWith("keychain: ", StringComparison.Ordinal))
            {
                Collect();
                isGenericPassword = false;
                account = null;
                service = null;
            }
            else if (line.StartsWith("class: ", StringComparison.Ordinal))
            {
                isGenericPassword = line == "class: \"genp\"";
            }
            else if (line.StartsWith("    \"acct\"<blob>=", StringComparison.Ordinal))
            {
                account = ParseBlob(line["    \"acct\"<blob>=".Length..]);
            }
            else if (line.StartsWith("    \"svce\"<blob>=", StringComparison.Ordinal))
            {
                service = ParseBlob(line["    \"svce\"<blob>=".Length..]);
            }
        }

        Collect();
        return names.ToList();

        void Collect()
        {
            if (isGenericPassword && account == IKeyring.User && !string.IsNullOrEmpty(service))
            {
                names.Add(service);
            }
        }
    }

    /// <summary>Checks the result of any command; "not found" is returned as false, every other failure thrown.</summary>
    /// <param name="result">What the tool reported.</param>
    /// <param name="redact">Values that must not appear in an error (the encoded secret of a write).</param>
    /// <returns>True on success, false when the item was not found.</returns>
    public static bool Check(ProcessResult result, params string[] redact)
    {
        ArgumentNullException.ThrowIfNull(result);

        // In interactive mode a failed command also reports "<command>: returned <status>" on stderr.
        var stderr = result.StandardError;
        if (result.ExitCode == 0 && !stderr.Contains(": returned ", StringComparison.Ordinal))
        {
            return true;
        }

        var error = FirstLine(stderr, redact);
        if (result.ExitCode == ItemNotFoundExitCode || stderr.Contains("could not be found in the keychain", StringComparison.Ordinal))
        {
            return false;
        }

        if (result.ExitCode == InteractionNotAllowedExitCode || stderr.Contains("User interaction is not allowed", StringComparison.Ordinal))
        {
            throw new KeyringUnavailableException("keyring is locked (macOS keychain: user interaction is not allowed)", LockedFix);
        }

        if (result.ExitCode == AuthFailedExitCode || stderr.Contains("passphrase you entered is not correct", StringComparison.Ordinal))
        {
            throw new KeyringUnavailableException("keyring is locked (macOS keychain: authentication failed)", LockedFix);
        }

        if (result.ExitCode is NoDefaultKeychainExitCode or NoSuchKeychainExitCode)
        {
            throw new KeyringUnavailableException(
                "no default macOS keychain",
                "create or choose a default keychain in Keychain Access, or set auth.keyring.type: file");
        }

        if (result.ExitCode == UserCanceledExitCode || stderr.Contains("User canceled", StringComparison.Ordinal))
        {
            throw new KeyringOperationException(
                "access to the keychain item was denied (the prompt was cancelled)",
                "allow atmos (security) to access the item in Keychain Access, or set auth.keyring.type: file");
        }

        throw new KeyringOperationException(
            $"security exited with code {result.ExitCode.ToString(CultureInfo.InvariantCulture)}: {(error.Length > 0 ? error : "(no message)")}",
            "check the keychain in Keychain Access, or set auth.keyring.type: file");
    }

    /// <summary>Quotes an argument for <c>security -i</c>, whose parser honours double quotes and backslash escapes.</summary>
    /// <param name="value">The argument.</param>
    public static string Quote(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
    }

    // A blob attribute: <NULL>, "printable text", or 0xHEX followed by an escaped rendering we do not need.
    private static string? ParseBlob(string value)
    {
        if (value.StartsWith("0x", StringComparison.Ordinal))
        {
            var end = value.IndexOf(' ', StringComparison.Ordinal);
            var hex = end < 0 ? value[2..] : value[2..end];
            return TryFromHex(hex, out var bytes) ? Encoding.UTF8.GetString(bytes) : null;
        }

        // Printable text is printed unescaped between quotes, so the value runs to the last quote of the line.
        var last = value.LastIndexOf('"');
        return value.StartsWith('"') && last > 0 ? value[1..last] : null;
    }

    private static string FirstLine(string text, string[] redact)
    {
        foreach (var secret in redact)
        {
            if (secret.Length > 0)
            {
                text = text.Replace(secret, "***", StringComparison.Ordinal);
            }
        }

        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length == 0 ? string.Empty : lines[0];
    }

    private static bool TryFromHex(string text, out byte[] bytes)
    {
        bytes = [];
        if (text.Length == 0 || text.Length % 2 != 0 || !text.All(char.IsAsciiHexDigit))
        {
            return false;
        }

        bytes = Convert.FromHexString(text);
        return true;
    }

    private static bool TryUtf8(byte[] bytes, out string text)
    {
        try
        {
            text = StrictUtf8.GetString(bytes);
            return true;
        }
        catch (DecoderFallbackException)
        {
            text = string.Empty;
            return false;
        }
    }

    private static bool TryFromBase64(string text, out byte[] bytes)
    {
        bytes = new byte[text.Length];
        if (Convert.TryFromBase64String(text, bytes, out var written))
        {
            bytes = bytes[..written];
            return true;
        }

        return false;
    }
}
