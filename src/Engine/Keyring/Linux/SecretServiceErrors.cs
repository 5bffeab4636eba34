using Tmds.DBus.Protocol;

namespace Atmos.Plugins.Engine.Keyring.Linux;

/// <summary>
/// Turns what the bus and the Secret Service report into the keyring's two failure kinds, each with a one-line reason
/// and the fix. D-Bus error texts come from the bus or the service and never contain our secrets.
/// </summary>
internal static class SecretServiceErrors
{
    /// <summary>The fix for every case where the session bus itself is missing.</summary>
    public const string NoBusFix =
        "start a desktop session or run under dbus-run-session with gnome-keyring-daemon --unlock, or set auth.keyring.type: file";

    /// <summary>No usable session bus.</summary>
    public static KeyringUnavailableException NoBus(Exception? inner = null) =>
        new("no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is unset or unreachable)", NoBusFix, inner);

    /// <summary>The session bus works but nothing owns <c>org.freedesktop.secrets</c>.</summary>
    public static KeyringUnavailableException NoService(Exception? inner = null) =>
        new(
            "no Secret Service on the D-Bus session bus (org.freedesktop.secrets)",
            "start gnome-keyring-daemon --unlock --components=secrets (or KeePassXC with Secret Service enabled), or set auth.keyring.type: file",
            inner);

    /// <summary>The <c>default</c> alias points nowhere: gnome-keyring was started without <c>--unlock</c> and no login keyring exists.</summary>
    public static KeyringUnavailableException NoCollection(Exception? inner = null) =>
        new(
            "the Secret Service has no default (login) collection",
            "create it by starting gnome-keyring-daemon with --unlock (or log in to a desktop session once), or set auth.keyring.type: file",
            inner);

    /// <summary>The collection is locked and unlocking it would need a prompt.</summary>
    public static KeyringUnavailableException Locked(Exception? inner = null) =>
        new("keyring is locked", "unlock it (gnome-keyring-daemon --unlock) or set auth.keyring.type: file", inner);

    /// <summary>The connection dropped in the middle of a call.</summary>
    public static KeyringUnavailableException ConnectionLost(Exception? inner = null) =>
        new("the D-Bus session bus connection was lost", NoBusFix, inner);

    /// <summary>Maps a failure of a call on the default collection or the service.</summary>
    /// <param name="error">What the call threw.</param>
    /// <returns>The exception to throw, or null when <paramref name="error"/> should propagate as it is (cancellation).</returns>
    public static Exception? Map(Exception error)
    {
        switch (error)
        {
            case KeyringUnavailableException or KeyringOperationException or OperationCanceledException:
                return null;
            case DBusErrorReplyException reply:
                return MapReply(reply);
            case DBusConnectFailedException:
                return NoBus(error);
            case DBusConnectionClosedException or DBusConnectionException or ObjectDisposedException:
                return ConnectionLost(error);
            case DBusExceptionBase:
                return new KeyringOperationException(
                    "unexpected reply from the Secret Service",
                    "check the Secret Service provider (gnome-keyring-daemon, KeePassXC) or set auth.keyring.type: file",
                    error);
            default:
                return null;
        }
    }

    /// <summary>Maps a D-Bus error reply by its error name.</summary>
    /// <param name="reply">The error reply.</param>
    public static Exception MapReply(DBusErrorReplyException reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        return reply.ErrorName switch
        {
            "org.freedesktop.DBus.Error.ServiceUnknown" or "org.freedesktop.DBus.Error.NameHasNoOwner" => NoService(reply),
            "org.freedesktop.DBus.Error.UnknownObject" or "org.freedesktop.DBus.Error.UnknownMethod"
                or "org.freedesktop.DBus.Error.UnknownInterface" or "org.freedesktop.Secret.Error.NoSuchObject" => NoCollection(reply),
            "org.freedesktop.Secret.Error.IsLocked" => Locked(reply),
            "org.freedesktop.DBus.Error.NoReply" or "org.freedesktop.DBus.Error.Timeout" or "org.freedesktop.DBus.Error.TimedOut" =>
                new KeyringUnavailableException(
                    "the Secret Service did not answer",
                    "restart gnome-keyring-daemon (or your Secret Service provider), or set auth.keyring.type: file",
                    reply),
            "org.freedesktop.DBus.Error.Disconnected" => ConnectionLost(reply),
            "org.freedesktop.DBus.Error.AccessDenied" or "org.freedesktop.DBus.Error.AuthFailed" =>
                new KeyringOperationException(
                    "access denied by the Secret Service",
                    "allow atmos in your keyring's access settings, or set auth.keyring.type: file",
                    reply),
            _ => new KeyringOperationException(
                $"Secret Service error {reply.ErrorName}: {OneLine(reply.ErrorMessage)}",
                "check the Secret Service provider (gnome-keyring-daemon, KeePassXC) or set auth.keyring.type: file",
                reply),
        };
    }

    private static string OneLine(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return "(no message)";
        }

        var line = text.ReplaceLineEndings(" ").Trim();
        return line.Length <= 200 ? line : line[..200] + "…";
    }
}
