using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Atmos.Plugins.PluginHost;
using Atmos.Plugins.PluginHost.Protocol;

// atmos-plugin-host: one third-party plugin in a process of its own, answering atmos over standard input and output
// (PluginProtocol). The arguments only name the plugin for whoever reads the process list; everything else comes over
// the protocol.
var (input, output) = StandardStreams.TakeForProtocol();
var writer = new ProtocolWriter(output);

// An exception on one of the plugin's threads ends the process; atmos learns why before it does.
AppDomain.CurrentDomain.UnhandledException += (_, e) =>
{
    try
    {
        writer.Send(json => json.WriteString("crash", PluginServer.Describe(e.ExceptionObject)));
    }
    catch (Exception)
    {
        // atmos still sees the process end, with its exit code and standard error.
    }
};

writer.Send(json =>
{
    json.WriteString("hello", PluginProtocol.Hello);
    json.WriteNumber("protocol", PluginProtocol.Version);
});

// Calls run one after another on a worker thread; this thread keeps reading, so a cancellation reaches a running call.
var server = new PluginServer(writer);
var calls = new BlockingCollection<JsonElement>();
new Thread(() =>
{
    foreach (var call in calls.GetConsumingEnumerable())
    {
        server.Handle(call);
    }
}) { IsBackground = true, Name = "plugin calls" }.Start();

var reader = new BoundedLineReader(input, PluginProtocol.MaxLineBytes);
while (true)
{
    byte[]? line;
    try
    {
        line = reader.ReadLine();
    }
    catch (Exception ex) when (ex is ProtocolException or IOException)
    {
        line = null;
    }

    if (line is null)
    {
        // atmos is done (or gone). Whatever the plugin left running, foreground threads and exit handlers included,
        // must not keep this process alive: kill it now.
        Process.GetCurrentProcess().Kill();
        return 0;
    }

    var message = JsonDocument.Parse(line).RootElement;
    if (message.TryGetProperty("cancel", out var cancel))
    {
        server.Cancel(cancel.GetInt64());
    }
    else
    {
        calls.Add(message);
    }
}
