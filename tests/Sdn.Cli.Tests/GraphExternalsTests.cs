using System.Net.Http.Json;
using System.Text.Json;
using Sdn.Contracts;
using Sdn.Fabric.Edge.Agent;

namespace Sdn.Cli.Tests;

/// <summary>
/// The snapshots `sdn graph` sends its page (server-sent events at /events) of topologies/gateway.yaml, whose nodes
/// run real agents programmed by a real controller on loopback, the test standing in for the gateway edge's host in
/// what it reports of the external interface: the external network is a node on its gateway edge, with its interface
/// and address under its name, in the state `sdn status` gives it, and its uplink carries the rates of that interface.
/// </summary>
public sealed class GraphExternalsTests : IAsyncLifetime, IDisposable
{
    private const string Interface = "veth-out";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private readonly CancellationTokenSource _stop = new();
    private readonly HttpClient _http = new();
    private AgentFabric _fabric = null!;
    private Task<int> _graph = null!;
    private StreamReader _events = null!;
    private Uri _page = null!;

    private EdgeAgent Gateway => _fabric.EdgeAgents["e2"];

    public async Task InitializeAsync()
    {
        _fabric = await AgentFabric.StartAsync(Topologies.Load("gateway.yaml"));
        var output = new ServedAddress();
        var error = new StringWriter();
        _graph = SdnCli.RunAsync(_fabric.Address, output, error, ["graph", "--listen", "127.0.0.1:0"], _stop.Token);
        var first = await Task.WhenAny(output.Address, _graph, Task.Delay(Patience));
        Assert.True(first == output.Address, $"`sdn graph` printed no address: {output}{error}");
        _page = await output.Address;
        _events = new StreamReader(await _http.GetStreamAsync(new Uri(_page, "events")));
    }

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_graph is not null)
        {
            await _graph;
        }

        await _fabric.DisposeAsync();
    }

    public void Dispose()
    {
        _events?.Dispose();
        _http.Dispose();
        _stop.Dispose();
    }

    [Fact]
    public async Task The_external_network_is_up_on_its_gateway_edge_once_its_interface_is_open_and_its_uplink_carries_the_interfaces_rates()
    {
        var pending = await UntilAsync(s => StateOf(s, "external:internet") == "pending");
        Assert.Equal("e2 has not reported it yet", Node(pending, "external:internet").GetProperty("reason").GetString());
        Assert.Equal("pending", Link(pending, "uplink:internet").GetProperty("state").GetString());

        Gateway.ReportPort(new PortStatus { Port = Interface, Up = true });
        var up = await UntilAsync(s => StateOf(s, "external:internet") == "up");

        var node = Node(up, "external:internet");
        Assert.Equal(("internet", "external"), (node.GetProperty("name").GetString(), node.GetProperty("kind").GetString()));
        Assert.Equal([Interface, "198.51.100.2"], node.GetProperty("notes").EnumerateArray().Select(n => n.GetString()));
        var uplink = Link(up, "uplink:internet");
        Assert.Equal(("external:internet", "edge:e2", "up"), (uplink.GetProperty("source").GetString(), uplink.GetProperty("target").GetString(), uplink.GetProperty("state").GetString()));
        Assert.Equal($"e2:{Interface}", string.Join(',', uplink.GetProperty("ports").EnumerateArray().Select(p => $"{p.GetProperty("node").GetString()}:{p.GetProperty("port").GetString()}")));

        // The outside asks for the gateway's address, and the gateway edge answers it out of the external interface.
        var outside = new Port { Mac = "02:00:00:00:00:01", Ipv4 = "198.51.100.1" };
        var moving = await UntilAsync(s =>
        {
            lock (Gateway.SwitchLock)
            {
                _fabric.Rig.Send(Interface, Traffic.ArpRequest(outside, "198.51.100.2"));
            }

            Gateway.ReportCounters();
            var rates = Link(s, "uplink:internet");
            return rates.GetProperty("aToBPps").GetDouble() > 0 && rates.GetProperty("bToAPps").GetDouble() > 0;
        });
        Assert.Equal("up", Node(moving, "external:internet").GetProperty("state").GetString());

        // A click on it shows what it is and the counters its gateway edge keeps for its interface.
        var details = await _http.GetFromJsonAsync<JsonElement>(new Uri(_page, "nodes/external/internet"));
        var counters = details.GetProperty("counters").GetString();
        Assert.StartsWith($"external internet on e2: interface {Interface}, subnet 198.51.100.0/24, gateway 198.51.100.2, router 198.51.100.1\n\nPORT ", counters, StringComparison.Ordinal);
        Assert.Matches($@"\n{Interface} +[1-9]", counters);
    }

    [Fact]
    public async Task An_external_network_whose_interface_its_gateway_edge_cannot_open_is_failed_with_why()
    {
        const string Why = $"edge e2 cannot realize it: interface '{Interface}' does not exist on this machine: create it, or name the one that leads outside";
        Gateway.ReportPort(new PortStatus { Port = Interface, Failure = Why });

        var failed = await UntilAsync(s => StateOf(s, "external:internet") == "failed");

        Assert.Equal(Why, Node(failed, "external:internet").GetProperty("reason").GetString());
        var uplink = Link(failed, "uplink:internet");
        Assert.Equal(("failed", Why), (uplink.GetProperty("state").GetString(), uplink.GetProperty("reason").GetString()));
        Assert.Equal("up", Node(failed, "edge:e2").GetProperty("state").GetString());
    }

    /// <summary>The state of the node or line <paramref name="id"/>; null while the snapshot has none such, as the first may have none at all.</summary>
    private static string? StateOf(JsonElement snapshot, string id) => snapshot.GetProperty("nodes").EnumerateArray().Concat(snapshot.GetProperty("links").EnumerateArray())
        .Where(o => o.GetProperty("id").GetString() == id).Select(o => o.GetProperty("state").GetString()).FirstOrDefault();

    private static JsonElement Node(JsonElement snapshot, string id) => snapshot.GetProperty("nodes").EnumerateArray().Single(n => n.GetProperty("id").GetString() == id);

    private static JsonElement Link(JsonElement snapshot, string id) => snapshot.GetProperty("links").EnumerateArray().Single(l => l.GetProperty("id").GetString() == id);

    /// <summary>Reads the page's events, pumping the fabric between them, until a snapshot satisfies <paramref name="wanted"/>; returns it.</summary>
    private async Task<JsonElement> UntilAsync(Func<JsonElement, bool> wanted)
    {
        using var patience = new CancellationTokenSource(Patience);
        var last = "none";
        try
        {
            while (await _events.ReadLineAsync(patience.Token) is { } line)
            {
                if (!line.StartsWith("data:", StringComparison.Ordinal))
                {
                    continue;
                }

                last = line;
                _fabric.Rig.Pump(1);
                var snapshot = JsonSerializer.Deserialize<JsonElement>(line["data:".Length..]);
                if (wanted(snapshot))
                {
                    return snapshot;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Reported below with the last snapshot seen.
        }

        Assert.Fail($"no snapshot within {Patience.TotalSeconds} s showed what the test waits for; the last: {last}");
        return default;
    }
}
