using Sdn.Contracts;
using Sdn.Fabric.Controller.Compiler;
using Sdn.Fabric.Controller.Model;
using Sdn.Fabric.Controller.Tests.Compiler;
using Sdn.Fabric.Edge.Datapath;

namespace Sdn.Fabric.Controller.Tests.Southbound;

/// <summary>
/// The whole loop on the dual-homed fabric: a cut uplink is reported by the edge's agent, the controller
/// recomputes and recompiles, and the edge's trace shows the new primary path.
/// </summary>
public sealed class ReroutingTests : IAsyncLifetime
{
    private AgentFabric _fabric = null!;

    public async Task InitializeAsync() => _fabric = await AgentFabric.StartAsync(Topologies.DualHomed());

    public Task DisposeAsync() => _fabric.DisposeAsync().AsTask();

    [Fact]
    public async Task A_reported_link_failure_recompiles_the_fabric_onto_the_other_path()
    {
        var before = _fabric.Compiled;
        Assert.Equal(2, before.ProgramOf("e1").Groups.Values.Single().Buckets.Count);

        _fabric.Rig.Cut("e1", "e1-c1", "c1", "e1-c1");
        await _fabric.UntilAsync(() => _fabric.Compiled.Version > before.Version);
        await _fabric.UntilProgrammedAsync();

        var after = _fabric.Compiled;
        var (src, dst) = (_fabric.Model.Get(ResourceKinds.Ports, "src"), _fabric.Model.Get(ResourceKinds.Ports, "dst"));
        PipelineTraceOf(after, src, dst, out var labels, out var outputs);
        Assert.Single(after.ProgramOf("e1").Groups.Values.Single().Buckets);
        Assert.Equal([after.UplinkNumber("e1", "e1-c2")], outputs);
        Assert.Equal([after.ServiceLabel("e2", "dst"), after.TransportLabel("c2", "e2")], labels);
        Assert.Single(_fabric.Send("src", "dst"));
    }

    private void PipelineTraceOf(CompiledFabric compiled, Port src, Port dst, out List<uint> labels, out IReadOnlyList<uint> outputs)
    {
        lock (_fabric.EdgeAgents["e1"].SwitchLock)
        {
            var trace = _fabric.Rig.Edges["e1"].Trace(compiled.VnicNumber("e1", "src"), Traffic.Udp(src, dst));
            labels = [.. trace.Actions.Select(a => a.MplsLabelWritten).OfType<uint>()];
            outputs = trace.Outputs;
        }
    }
}
