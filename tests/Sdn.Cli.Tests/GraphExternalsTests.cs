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
public sealed class GraphExternalsTests : IAsyncLifetime
{
    private const string Interface = "veth-out";
    private const string External = "external:internet";
    private const string Uplink = "uplink:internet";

    private AgentFabric _fabric = null!;
    private RunningGraph _graph = null!;

    private EdgeAgent Gateway => _fabric.EdgeAgents["e2"];

    public async Task InitializeAsync()
    {
        _fabric = await AgentFabric.StartAsync(Topologies.Load("gateway.yaml"));
        _graph = await RunningGraph.StartAsync(_fabric.Address);
    }

    public async Task DisposeAsync()
    {
        if (_graph is not null)
        {
            await _graph.DisposeAsync();
        }

        await _fabric.DisposeAsync();
    }

    [Fact]
    public async Task The_external_network_is_up_on_its_gateway_edge_once_its_interface_is_open_and_its_uplink_carries_the_interfaces_rates()
    {
        var pending = await _graph.UntilSnapshotAsync(s => RunningGraph.StateOf(s, External) == "pending", "the external network pending");
        Assert.Equal("e2 has not reported it yet", Of(pending, "nodes", External).GetProperty("reason").GetString());
        Assert.Equal("pending", RunningGraph.StateOf(pending, Uplink));

        Gateway.ReportPort(new PortStatus { Port = Interface, Up = true });
        var up = await _graph.UntilSnapshotAsync(s => RunningGraph.StateOf(s, External) == "up", "the external network up");

        var node = Of(up, "nodes", External);
        Assert.Equal(("internet", "external"), (node.GetProperty("name").GetString(), node.GetProperty("kind").GetString()));
        Assert.Equal([Interface, "198.51.100.2"], node.GetProperty("notes").EnumerateArray().Select(n => n.GetString()));
        var uplink = Of(up, "links", Uplink);
        Assert.Equal(("external:internet", "edge:e2", "up"), (uplink.GetProperty("source").GetString(), uplink.GetProperty("target").GetString(), uplink.GetProperty("state").GetString()));
        Assert.Equal($"e2:{Interface}", string.Join(',', uplink.GetProperty("ports").EnumerateArray().Select(p => $"{p.GetProperty("node").GetString()}:{p.GetProperty("port").GetString()}")));

        // The outside asks for the gateway's address between snapshots, and the gateway edge answers out of the
        // external interface; the edge reports its counters at once instead of within the second.
        var outside = new Port { Mac = "02:00:00:00:00:01", Ipv4 = "198.51.100.1" };
        var moving = await _graph.UntilSnapshotAsync(
            s =>
            {
                lock (Gateway.SwitchLock)
                {
                    _fabric.Rig.Send(Interface, Traffic.ArpRequest(outside, "198.51.100.2"));
                }

                Gateway.ReportCounters();
                var rates = Of(s, "links", Uplink);
                return rates.GetProperty("aToBPps").GetDouble() > 0 && rates.GetProperty("bToAPps").GetDouble() > 0;
            },
            "packets each way on the uplink");
        Assert.Equal("up", RunningGraph.StateOf(moving, External));

        // A click on it shows what it is and the counters its gateway edge keeps for its interface.
        var counters = (await _graph.GetAsync("nodes/external/internet")).GetProperty("counters").GetString();
        Assert.StartsWith($"external internet on e2: interface {Interface}, subnet 198.51.100.0/24, gateway 198.51.100.2, router 198.51.100.1; IPv6 subnet 2001:db8:100::/64, gateway 2001:db8:100::2, router 2001:db8:100::1\n\nPORT ", counters, StringComparison.Ordinal);
        Assert.Matches($@"\n{Interface} +[1-9]", counters);
    }

    [Fact]
    public async Task An_external_network_whose_interface_its_gateway_edge_cannot_open_is_failed_with_why()
    {
        const string Why = $"edge e2 cannot realize it: interface '{Interface}' does not exist on this machine: create it, or name the one that leads outside";
        Gateway.ReportPort(new PortStatus { Port = Interface, Failure = Why });

        var failed = await _graph.UntilSnapshotAsync(s => RunningGraph.StateOf(s, External) == "failed", "the external network failed");

        Assert.Equal(Why, Of(failed, "nodes", External).GetProperty("reason").GetString());
        var uplink = Of(failed, "links", Uplink);
        Assert.Equal(("failed", Why), (uplink.GetProperty("state").GetString(), uplink.GetProperty("reason").GetString()));
        Assert.Equal("up", RunningGraph.StateOf(failed, "edge:e2"));
    }

    /// <summary>The node or line <paramref name="id"/> in the snapshot's <paramref name="list"/>, "nodes" or "links".</summary>
    private static JsonElement Of(JsonElement snapshot, string list, string id) =>
        snapshot.GetProperty(list).EnumerateArray().Single(o => o.GetProperty("id").GetString() == id);
}
