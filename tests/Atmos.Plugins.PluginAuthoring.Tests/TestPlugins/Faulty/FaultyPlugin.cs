using System.Collections;
using Atmos.Plugins.Contracts;
using Atmos.Plugins.TestPlugins;

[assembly: AtmosPlugin(typeof(FaultyPlugin))]
[assembly: ProviderKind("faulty/provider")]

namespace Atmos.Plugins.TestPlugins;

/// <summary>
/// Each provider's <c>behaviour</c> picks how the plugin breaks the contract.
/// <list type="bullet">
/// <item>In <c>Plan</c>: <c>throw-in-plan</c>, <c>hang-in-plan</c>, <c>null-plan</c>, <c>null-step</c>, <c>outside-base</c>,
/// <c>protected-path</c>, <c>relative-path</c>, <c>other-plugins-folder</c> (a path in the AWS plugin's folder),
/// <c>argument-outside</c> (a step whose argument names <c>~/Documents</c>), <c>documents</c> (a step in
/// <c>~/Documents</c>, for a test that grants that folder), <c>exit-in-plan</c>
/// (<c>Environment.Exit(3)</c>), <c>stack-overflow-in-plan</c>, <c>fail-fast-in-plan</c>, <c>thread-crash-in-plan</c> (an
/// exception on a thread of its own), <c>throwing-list</c> and <c>hanging-list</c> (a list that throws or never ends
/// when read), <c>many-steps</c> (100,000 steps), <c>console</c> (writes to the console every way it can, then plans one
/// step), <c>foreground-thread</c> (leaves a foreground thread that never ends, then plans one step),
/// <c>log</c> (writes one line of each level to its log channel, then plans one step).</item>
/// <item>In <c>Execute</c>: <c>throw-in-execute</c>, <c>hang-in-execute</c> (also counts its calls in the file named by
/// <c>ATMOS_TEST_EXECUTE_LOG</c>: a test proves an abandoned call is never joined by another), <c>null-result</c>,
/// <c>bad-status</c>, <c>exit-in-execute</c>.</item>
/// <item>In <c>Inspect</c> (<c>atmos auth status</c>): <c>null-inspect</c>.</item>
/// <item>For <c>atmos plugins check</c>: <c>write-in-plan</c> (Plan writes a file), <c>undeclared-delete</c> (Execute
/// deletes a file its step does not declare); and a provider named <c>leaky</c> prints its keyring entry's token.</item>
/// </list>
/// Its constructor records that it ran (in the file named by <c>ATMOS_TEST_MARKER</c>), so a test can prove the plugin
/// was never loaded, and throws or hangs when <c>ATMOS_TEST_CONSTRUCTOR</c> says <c>throw</c> or <c>hang</c>.
/// </summary>
public sealed class FaultyPlugin : InertPlugin
{
    public FaultyPlugin()
    {
        if (Environment.GetEnvironmentVariable("ATMOS_TEST_MARKER") is { Length: > 0 } marker)
        {
            File.AppendAllText(marker, "faulty plugin constructed\n");
        }

        switch (Environment.GetEnvironmentVariable("ATMOS_TEST_CONSTRUCTOR"))
        {
            case "throw":
                throw new InvalidOperationException("the faulty plugin cannot start: its settings service is missing");
            case "hang":
                Thread.Sleep(Timeout.Infinite);
                break;
        }
    }

    public override string Cloud => "faulty";

    public override IReadOnlyList<FileStep> Plan(PlanRequest request)
    {
        var steps = new List<FileStep>();
        foreach (var provider in request.Providers)
        {
            var behaviour = provider.Settings.GetString("behaviour");
            var home = request.Environment.HomeDirectory;
            switch (behaviour)
            {
                case "exit-in-plan":
                    Environment.Exit(3);
                    break;
                case "stack-overflow-in-plan":
                    return Recurse(request, 0);
                case "fail-fast-in-plan":
                    Environment.FailFast("the faulty plugin failed fast");
                    break;
                case "thread-crash-in-plan":
                    var thread = new Thread(() => throw new InvalidOperationException("the faulty plugin's worker thread broke"));
                    thread.Start();
                    thread.Join();
                    break;
                case "throwing-list":
                    return new BrokenList(hang: false);
                case "hanging-list":
                    return new BrokenList(hang: true);
                case "many-steps":
                    return Enumerable.Range(0, 100_000).Select(i => Step(provider, "ok", Path.Join(provider.Folder, $"session-{i}"))).ToList();
                case "console":
                    Console.WriteLine("{ \"not\": \"the document atmos writes\" }");
                    Console.Out.Flush();
                    using (var stdout = Console.OpenStandardOutput())
                    {
                        stdout.Write("raw bytes on file descriptor 1\n"u8);
                    }

                    Console.Error.WriteLine("the faulty plugin on standard error");
                    break;
                case "foreground-thread":
                    new Thread(() => Thread.Sleep(Timeout.Infinite)) { IsBackground = false, Name = "never ends" }.Start();
                    break;
                case "write-in-plan":
                    Directory.CreateDirectory(provider.Folder);
                    File.WriteAllText(Path.Join(provider.Folder, "planned-here"), "a plan must change nothing");
                    break;
                case "log":
                    request.Environment.Log.Debug("faulty debug line");
                    request.Environment.Log.Info("faulty info line");
                    request.Environment.Log.Warning("faulty warning line");
                    break;
            }

            steps.Add(behaviour switch
            {
                "hang-in-plan" => Hang<FileStep>(),
                "null-plan" => null!,
                "null-step" => null!,
                "outside-base" => Step(provider, behaviour, "/etc/atmos-faulty-target"),
                "protected-path" => Step(provider, behaviour, Path.Join(home, ".aws", "credentials")),
                "relative-path" => Step(provider, behaviour, "faulty/relative"),
                "other-plugins-folder" => Step(provider, behaviour, Path.Join(home, ".config", "atmos", "aws", "aws-sso")),
                "argument-outside" => Step(provider, behaviour, Path.Join(provider.Folder, "session")) with
                {
                    Arguments = new Dictionary<string, string> { ["victim"] = Path.Join(home, "Documents", "thesis.odt") },
                },
                "documents" => Step(provider, behaviour, Path.Join(home, "Documents", "faulty-session")),
                "throw-in-plan" => throw new InvalidOperationException("the faulty plugin was told to throw in Plan"),
                _ => Step(provider, behaviour ?? "ok", Path.Join(provider.Folder, "session")),
            });
            if (behaviour == "null-plan")
            {
                return null!;
            }
        }

        return steps;
    }

    public override StepResult Execute(FileStep step, PluginEnvironment environment, CancellationToken cancellationToken)
    {
        switch (step.Action)
        {
            case "throw-in-execute":
                throw new IOException("the faulty plugin was told to throw in Execute");
            case "hang-in-execute":
                if (Environment.GetEnvironmentVariable("ATMOS_TEST_EXECUTE_LOG") is { Length: > 0 } log)
                {
                    File.AppendAllText(log, $"Execute {step.Principals[0]}\n");
                }

                return Hang<StepResult>();
            case "null-result":
                return null!;
            case "bad-status":
                return new StepResult((StepStatus)42, "forty-two");
            case "undeclared-delete":
                File.Delete(Path.Join(Path.GetDirectoryName(step.Target)!, "keep-me"));
                return StepResult.Removed();
            case "exit-in-execute":
                Environment.Exit(4);
                return null!;
            default:
                return StepResult.Removed();
        }
    }

    public override CredentialClass Classify(KeyringEntry entry)
    {
        if (entry.Name == "leaky")
        {
            Console.WriteLine($"classifying with token {entry.Fields.GetValueOrDefault("token")}");
        }

        return CredentialClass.Session;
    }

    public override IReadOnlyList<StoredArtifact> Inspect(PlanRequest request) =>
        request.Providers.Any(p => p.Settings.GetString("behaviour") == "null-inspect")
            ? null!
            : request.Providers.Select(p => new StoredArtifact(p.Name, Path.Join(p.Folder, "session"), CredentialClass.Session, "faulty session")).ToList();

    private static FileStep Step(ProviderTarget provider, string action, string path) => new()
    {
        Action = action,
        Principals = [provider.Name],
        Target = path,
        Paths = [path],
    };

    // Deep enough to overflow any stack; the parameters keep the frames from being merged away.
    private static IReadOnlyList<FileStep> Recurse(PlanRequest request, int depth) =>
        depth < 0 ? [] : Recurse(request, depth + 1).Concat(Recurse(request, depth + 2)).ToList();

    private static T Hang<T>()
    {
        Thread.Sleep(Timeout.Infinite);
        throw new InvalidOperationException("unreachable");
    }

    /// <summary>A list of one step that says so, but throws, or never ends, when it is read.</summary>
    private sealed class BrokenList(bool hang) : IReadOnlyList<FileStep>
    {
        public int Count => 1;

        public FileStep this[int index] => throw new InvalidOperationException("the faulty plugin's list cannot be indexed");

        public IEnumerator<FileStep> GetEnumerator()
        {
            if (!hang)
            {
                throw new InvalidOperationException("the faulty plugin's list broke while it was read");
            }

            while (true)
            {
                Thread.Sleep(50);
                yield return null!;
            }
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
