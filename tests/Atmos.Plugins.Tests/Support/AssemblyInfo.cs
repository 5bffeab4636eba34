// The suite exercises Unix file modes, symbolic links and advisory locks: it runs on Linux and macOS.
[assembly: System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
