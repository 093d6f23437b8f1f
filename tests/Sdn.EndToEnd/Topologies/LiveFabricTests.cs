using Grpc.Core;
using Grpc.Net.Client;
using Sdn.Cli.Hosting;
using Sdn.Common.Interop;
using Sdn.Contracts;
using Sdn.Contracts.Rpc;
using Sdn.EndToEnd.Support;
using Sdn.Vmm.Machine;

namespace Sdn.EndToEnd.Topologies;

/// <summary>
/// A running quickstart changed through the northbound API, as users' programs change it: VMs, hosts, a core node and
/// links come and go while the fabric forwards, and what the controller refuses, or an edge fails to apply, takes
/// nothing down. Each test has a quickstart of its own.
/// </summary>
public sealed class LiveFabricTests : IAsyncLifetime
{
    private const string InjectedFault = "faulty";

    private EmbeddedFabric _fabric = null!;
    private GrpcChannel _channel = null!;
    private Controller.ControllerClient _controller = null!;

    public async Task InitializeAsync()
    {
        var options = TopologyRun.Options() with
        {
            BeforeRealize = (edge, port) =>
            {
                if (port.Name == InjectedFault)
                {
                    throw new InvalidOperationException($"fault injected into edge {edge}");
                }
            },
        };
        _fabric = await EmbeddedFabric.StartAsync(TopologyRun.Load("quickstart.yaml"), options);
        _channel = RpcChannels.ForAddress(_fabric.Address);
        _controller = new Controller.ControllerClient(_channel);
    }

    public async Task DisposeAsync()
    {
        _channel.Dispose();
        await _fabric.DisposeAsync();
    }

    [KvmFact]
    public async Task A_vm_added_through_the_api_answers_red1_and_h1_and_deleting_it_stops_it_and_takes_its_flows_and_port_away()
    {
        var port = await _controller.CreatePortAsync(new Port { Name = "red3", Edge = "e1", Network = "red.web", Ipv4 = "10.1.0.13", Vm = new VmSpec { App = "echo" } });
        await _controller.UntilStateAsync("vm", "red3", ObjectState.Up);

        await _fabric.AssertPingsAsync("red1", "red3");
        Assert.Contains("3 packets transmitted, 3 received", await _fabric.PingFromHostAsync("h1", "10.1.0.13"), StringComparison.Ordinal);
        var red3 = _fabric.Vms["red3"].Machine;
        Assert.Equal(VmState.Running, red3.State);
        Assert.Contains(port.Mac, await _fabric.FlowsAsync("e1"), StringComparison.Ordinal);

        await _controller.DeletePortAsync(new DeleteRequest { Name = "red3" });
        await FabricChecks.UntilAsync(() => !_fabric.Vms.ContainsKey("red3") && red3.State == VmState.Stopped);

        Assert.DoesNotContain(port.Mac, await _fabric.FlowsAsync("e1"), StringComparison.Ordinal);
        Assert.DoesNotContain("10.1.0.13", await _fabric.FlowsAsync("e2"), StringComparison.Ordinal);
        Assert.Null(Edge("e1").Agent.Programmer.PortConfigNamed("red3"));
        Assert.DoesNotContain((await _controller.GetStatusAsync(new StatusRequest())).Objects, o => o.Name == "red3");
        await _fabric.AssertPingsAsync("red1", "red2");
    }

    /// <summary>The TAP lives in the host's namespace; once deleted, it is in no namespace at all, the root one included.</summary>
    [KvmFact]
    public async Task A_host_added_and_deleted_live_brings_its_namespace_and_tap_and_takes_them_away()
    {
        await _controller.CreatePortAsync(new Port { Name = "h2", Edge = "e1", Network = "red.web", Ipv4 = "10.1.0.101", Kind = PortKind.Tap, Host = new HostSpec() });
        await _controller.UntilStateAsync("host", "h2", ObjectState.Up);
        var host = _fabric.Hosts["h2"];
        var (space, device) = (host.Namespace.Name, host.Device);

        Assert.Contains(space, ExternalCommand.Run("ip", "netns", "list"), StringComparison.Ordinal);
        Assert.Contains(device, ExternalCommand.Run("ip", "-n", space, "link", "show"), StringComparison.Ordinal);
        await _fabric.AssertPingsAsync("h2", "red2");

        await _controller.DeletePortAsync(new DeleteRequest { Name = "h2" });
        await FabricChecks.UntilAsync(() => !ExternalCommand.Run("ip", "netns", "list").Contains(space, StringComparison.Ordinal));

        Assert.False(_fabric.Hosts.ContainsKey("h2"));
        Assert.DoesNotContain(device, ExternalCommand.Run("ip", "link", "show"), StringComparison.Ordinal);
    }

    [KvmFact]
    public async Task A_core_node_and_two_links_added_live_carry_the_traffic_once_the_old_links_are_cut_with_no_agent_reconnecting()
    {
        var sessions = Sessions();
        await _controller.CreateCoreNodeAsync(new CoreNode { Name = "c3" });
        await _controller.CreateLinkAsync(new Link { Name = "e1--c3", A = new LinkEndpoint { Node = "e1" }, B = new LinkEndpoint { Node = "c3" } });
        await _controller.CreateLinkAsync(new Link { Name = "c3--e2", A = new LinkEndpoint { Node = "c3" }, B = new LinkEndpoint { Node = "e2" } });
        await _controller.UntilStateAsync("link", "e1--c3", ObjectState.Up);
        await _controller.UntilStateAsync("link", "c3--e2", ObjectState.Up);
        var c3 = _fabric.Nodes.Cores.Single(c => c.Name == "c3");
        var forwardedBefore = c3.Switch.Statistics.Forwarded;

        _fabric.SetLinkCut("e1--c1", cut: true);
        _fabric.SetLinkCut("e1--c2", cut: true);
        await _controller.UntilStateAsync("link", "e1--c1", ObjectState.Down);
        await _controller.UntilStateAsync("link", "e1--c2", ObjectState.Down);

        await _fabric.AssertPingsAsync("red1", "red2");
        Assert.True(c3.Switch.Statistics.Forwarded >= forwardedBefore + 6, $"c3 forwarded {c3.Switch.Statistics.Forwarded - forwardedBefore} frames of the 3 requests and 3 replies");
        Assert.Equal(sessions, Sessions().Where(s => s.Key != "c3").ToDictionary());
        Assert.All((await _controller.GetStatsAsync(new StatsRequest())).Nodes, n => Assert.True(n.Connected, $"{n.Node} is not connected"));
    }

    [KvmFact]
    public async Task An_edge_to_edge_link_and_every_other_refused_request_leave_the_version_unchanged_and_every_agent_connected()
    {
        var version = (await _controller.GetStateAsync(new GetStateRequest())).Version;
        var sessions = Sessions();

        await AssertRefusedAsync(StatusCode.InvalidArgument, _controller.CreateLinkAsync(new Link { Name = "e1--e2", A = new LinkEndpoint { Node = "e1" }, B = new LinkEndpoint { Node = "e2" } }).ResponseAsync);
        await AssertRefusedAsync(StatusCode.AlreadyExists, _controller.CreatePortAsync(new Port { Name = "red1", Edge = "e1", Network = "red.web" }).ResponseAsync);
        await AssertRefusedAsync(StatusCode.NotFound, _controller.CreatePortAsync(new Port { Name = "red4", Edge = "e9", Network = "red.web" }).ResponseAsync);
        await AssertRefusedAsync(StatusCode.InvalidArgument, _controller.CreatePortAsync(new Port { Name = "red4", Edge = "e1", Network = "red.web", Vm = new VmSpec { App = "minesweeper" } }).ResponseAsync);
        await AssertRefusedAsync(StatusCode.FailedPrecondition, _controller.DeleteNetworkAsync(new DeleteRequest { Name = "red.web" }).ResponseAsync);
        await AssertRefusedAsync(StatusCode.FailedPrecondition, _controller.DeleteEdgeAsync(new DeleteRequest { Name = "e1" }).ResponseAsync);

        Assert.Equal(version, (await _controller.GetStateAsync(new GetStateRequest())).Version);
        Assert.Equal(sessions, Sessions());
        Assert.All((await _controller.GetStatsAsync(new StatsRequest())).Nodes, n => Assert.True(n.Connected && n.Failure.Length == 0, $"{n.Node}: connected {n.Connected}, {n.Failure}"));
        await _fabric.AssertPingsAsync("red1", "red2");
    }

    [KvmFact]
    public async Task A_fault_in_an_edges_batch_handler_leaves_it_connected_and_forwarding_and_shows_in_sdn_status()
    {
        var sessions = Sessions();

        await _controller.CreatePortAsync(new Port { Name = InjectedFault, Edge = "e1", Network = "red.web", Vm = new VmSpec { App = "echo" } });
        await _controller.UntilStateAsync("port", InjectedFault, ObjectState.Failed);

        var (exit, status) = await SdnCli.InvokeAsync(_fabric.Address, "status");
        Assert.Equal(0, exit);
        Assert.Matches(@"\ne1\s+edge\s+connected\s+\d+\n  version \d+ refused: Internal: edge e1 cannot apply version \d+: InvalidOperationException: fault injected into edge e1; it still runs version \d+\n", status);
        Assert.Matches(@"\n  port faulty on e1: failed: e1: version \d+ refused: .*fault injected into edge e1", status);
        Assert.Equal(sessions, Sessions());
        await _fabric.AssertPingsAsync("red1", "red2");

        await _controller.DeletePortAsync(new DeleteRequest { Name = InjectedFault });
        await FabricChecks.UntilAsync(() => _controller.GetStats(new StatsRequest { Node = "e1" }).Nodes[0].Failure.Length == 0);
        Assert.DoesNotContain("refused", (await SdnCli.InvokeAsync(_fabric.Address, "status")).Output, StringComparison.Ordinal);
    }

    private static async Task AssertRefusedAsync(StatusCode expected, Task call)
    {
        var refusal = await Assert.ThrowsAsync<RpcException>(() => call);
        Assert.Equal(expected, refusal.StatusCode);
    }

    private EdgeHost Edge(string name) => _fabric.Nodes.Edges.Single(e => e.Name == name);

    /// <summary>How many sessions each node's agent has opened.</summary>
    private Dictionary<string, long> Sessions() =>
        _fabric.Nodes.Edges.Select(e => (e.Name, e.Agent.Sessions)).Concat(_fabric.Nodes.Cores.Select(c => (c.Name, c.Agent.Sessions))).ToDictionary();
}
