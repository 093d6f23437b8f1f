using Grpc.Core;
using Sdn.Contracts;
using Sdn.Contracts.Rpc;
using Sdn.Fabric.Controller.Compiler;
using Sdn.Fabric.Controller.Model;
using Sdn.Fabric.Controller.Tests.Compiler;

namespace Sdn.Fabric.Controller.Tests.Southbound;

/// <summary>Agents on every node of the multi-tenant fabric, programmed by the controller over real gRPC on loopback.</summary>
public sealed class SouthboundTests : IAsyncLifetime
{
    private AgentFabric _fabric = null!;

    public async Task InitializeAsync() => _fabric = await AgentFabric.StartAsync(Topologies.MultiTenant());

    public Task DisposeAsync() => _fabric.DisposeAsync().AsTask();

    [Fact]
    public void Every_agent_gets_full_state_and_the_fabric_forwards()
    {
        Assert.All(_fabric.EdgeAgents.Values, a => Assert.Equal(_fabric.Compiled.ProgramOf(a.NodeName).Flows.Keys.Order(), a.Programmer.Program.Flows.Keys.Order()));
        Assert.All(_fabric.CoreAgents.Values, a => Assert.Equal(_fabric.Compiled.ProgramOf(a.NodeName).Lfib.Keys.Order(), a.Program.Lfib.Keys.Order()));
        Assert.Single(Send("alpha-f1", "alpha-f2"));
    }

    [Fact]
    public async Task A_model_change_reaches_the_nodes_as_a_diff_batch()
    {
        var batches = new List<BatchAck>();
        _fabric.EdgeAgents["e3"].BatchHandled += (_, ack) => batches.Add(ack);

        var applied = _fabric.EdgeAgents["e3"].AppliedVersion;
        var compiled = _fabric.Compiled.Version;

        _fabric.Model.Delete(ResourceKinds.Ports, "gamma-2");
        await _fabric.UntilAsync(() => _fabric.Compiled.Version > compiled);
        await _fabric.UntilProgrammedAsync();

        Assert.Equal([(applied + 1, 0)], batches.Select(b => (b.Version, b.Status)));
        Assert.Null(_fabric.EdgeAgents["e3"].Programmer.Port("gamma-2"));
        Assert.Equal(_fabric.Compiled.ProgramOf("e2").Flows.Keys.Order(), _fabric.EdgeAgents["e2"].Programmer.Program.Flows.Keys.Order());
        Assert.Equal(1, _fabric.EdgeAgents["e3"].Sessions);
    }

    [Fact]
    public async Task Without_a_controller_the_data_plane_forwards_and_reconciles_when_one_returns()
    {
        await _fabric.StopControllerAsync();
        await _fabric.UntilAsync(() => _fabric.EdgeAgents.Values.All(a => !a.IsConnected));

        Assert.Single(Send("alpha-f1", "alpha-f2"));

        _fabric.Model.Delete(ResourceKinds.Ports, "beta-f2");
        await _fabric.RestartControllerAsync();
        await _fabric.UntilProgrammedAsync();

        Assert.All(_fabric.EdgeAgents.Values, a => Assert.Equal(2, a.Sessions));
        Assert.Null(_fabric.EdgeAgents["e3"].Programmer.Port("beta-f2"));
        Assert.Equal(_fabric.Compiled.ProgramOf("e1").Flows.Keys.Order(), _fabric.EdgeAgents["e1"].Programmer.Program.Flows.Keys.Order());
        Assert.Single(Send("alpha-f1", "alpha-f2"));
    }

    [Fact]
    public async Task Agents_report_link_state_as_it_changes_and_counters_every_second()
    {
        var reports = new List<(string Node, string Interface, bool Up)>();
        _fabric.Hub.LinkStatusReported += (_, r) =>
        {
            lock (reports)
            {
                reports.Add((r.Node, r.Interface, r.Up));
            }
        };

        Send("alpha-f1", "alpha-f2");
        _fabric.Rig.Cut("e1", "e1--c1", "c1", "e1--c1");
        _fabric.Rig.Pump(1);

        // Nobody asks for counters: each agent sends its node's every second.
        await _fabric.UntilAsync(() =>
            Counters("e2").Ports.Any(p => p.Port == "alpha-f2" && p.TxPackets == 1)
            && Counters("c1").Ports.Any(p => p.Port == "e1--c1" && p.RxPackets == 1)
            && Reported(reports, ("e1", "e1--c1", false)));
    }

    [Fact]
    public async Task The_controllers_trace_is_answered_by_the_edge_agent_with_the_pipelines_path()
    {
        var (a, b) = (_fabric.Model.Get(ResourceKinds.Ports, "alpha-f1"), _fabric.Model.Get(ResourceKinds.Ports, "alpha-f2"));
        var uplink = _fabric.Compiled.UplinkNumber("e1", "e1--c1");

        var result = await _fabric.Hub.TraceAsync("e1", "alpha-f1", Google.Protobuf.ByteString.CopyFrom(Traffic.Udp(a, b)), ctState: 0, CancellationToken.None);

        Assert.Equal([EdgeTables.Classify, EdgeTables.PortSecurity, EdgeTables.Neighbours, EdgeTables.Acl, EdgeTables.Route, EdgeTables.Forward], result.Steps.Select(s => s.TableId));
        var output = Assert.Single(result.Outputs);
        Assert.Equal((uplink, "e1--c1"), (output.PortNumber, output.Port));
        Assert.Equal(2, output.PushedLabels.Count);
        Assert.StartsWith("output e1--c1 labels [", result.Verdict, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stream_that_does_not_open_with_a_hello_for_a_known_node_is_refused()
    {
        Assert.Equal(StatusCode.NotFound, await RefusalAsync(new AgentMessage { Hello = new Hello { NodeName = "nowhere" } }));
        Assert.Equal(StatusCode.InvalidArgument, await RefusalAsync(new AgentMessage { LinkStatus = new LinkStatus { Interface = "x" } }));
    }

    private CounterReport Counters(string node) => _fabric.Hub.Stats(node).Single().Counters ?? new CounterReport();

    private static bool Reported(List<(string, string, bool)> reports, (string, string, bool) wanted)
    {
        lock (reports)
        {
            return reports.Contains(wanted);
        }
    }

    private async Task<StatusCode> RefusalAsync(AgentMessage first)
    {
        await using var agent = await TestAgent.ConnectAsync(_fabric.Address, first);
        return (await agent.EndAsync()).StatusCode;
    }

    private IReadOnlyList<byte[]> Send(string from, string to) => _fabric.Send(from, to);
}
