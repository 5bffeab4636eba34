// The suite exercises Unix file modes, symbolic links and advisory locks: it runs on Linux and macOS (the Secret
// Service scenarios on Linux only).
[assembly: System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
