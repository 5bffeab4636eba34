using System.Runtime.InteropServices;

namespace Atmos.Plugins.Engine.Keyring.Windows;

/// <summary>The Credential Manager functions of advapi32.dll (wincred.h), raw.</summary>
internal static partial class Advapi32
{
    /// <summary>CRED_TYPE_GENERIC.</summary>
    public const int CredTypeGeneric = 1;

    /// <summary>CRED_PERSIST_LOCAL_MACHINE: survives logoff, stays on this machine (what go-keyring uses too).</summary>
    public const int CredPersistLocalMachine = 2;

    /// <summary>CRED_MAX_CREDENTIAL_BLOB_SIZE: 5 * 512 bytes.</summary>
    public const int MaxBlobSize = 5 * 512;

    private const string Library = "advapi32.dll";

    /// <summary>Reads one credential; free the result with <see cref="CredFree"/>.</summary>
    [LibraryImport(Library, EntryPoint = "CredReadW", SetLastError = true, StringMarshalling = StringMarshalling.Utf16)]
    [return: MarshalAs(UnmanagedType.Bool)]
    public static partial bool CredRead(string targetName, int type, int flags, out nint credential);

    /// <summary>Creates or replaces a credential.</summary>
    [LibraryImport(Library, EntryPoint = "CredWriteW", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    public static partial bool CredWrite(in Credential credential, int flags);

    /// <summary>Deletes a credential.</summary>
    [LibraryImport(Library, EntryPoint = "CredDeleteW", SetLastError = true, StringMarshalling = StringMarshalling.Utf16)]
    [return: MarshalAs(UnmanagedType.Bool)]
    public static partial bool CredDelete(string targetName, int type, int flags);

    /// <summary>Lists credentials (an array of CREDENTIALW pointers); free it with <see cref="CredFree"/>.</summary>
    [LibraryImport(Library, EntryPoint = "CredEnumerateW", SetLastError = true, StringMarshalling = StringMarshalling.Utf16)]
    [return: MarshalAs(UnmanagedType.Bool)]
    public static partial bool CredEnumerate(string? filter, int flags, out int count, out nint credentials);

    /// <summary>Frees a buffer returned by the functions above.</summary>
    [LibraryImport(Library, EntryPoint = "CredFree")]
    public static partial void CredFree(nint buffer);

    /// <summary>CREDENTIALW; strings are pointers to UTF-16 text.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct Credential
    {
        public int Flags;
        public int Type;
        public nint TargetName;
        public nint Comment;
        public uint LastWrittenLow;
        public uint LastWrittenHigh;
        public int CredentialBlobSize;
        public nint CredentialBlob;
        public int Persist;
        public int AttributeCount;
        public nint Attributes;
        public nint TargetAlias;
        public nint UserName;
    }
}
