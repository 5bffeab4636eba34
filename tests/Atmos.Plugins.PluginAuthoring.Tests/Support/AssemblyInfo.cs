// Like the main suite: Unix file modes, symbolic links and the published Unix executable.
[assembly: System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
