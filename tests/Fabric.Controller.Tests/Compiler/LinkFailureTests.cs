using Sdn.Contracts;
using Sdn.Contracts.Southbound;
using Sdn.Fabric.Controller.Compiler;
using Sdn.Fabric.Controller.Model;
using Sdn.Fabric.Edge.Datapath;

namespace Sdn.Fabric.Controller.Tests.Compiler;

/// <summary>
/// e1 is dual-homed: to c1 (cost 1) and c2 (cost 5), both of which reach e2. Cutting e1-c1 moves traffic to c2
/// at once through the fast-failover group; recompiling with the link down moves the primary path there too.
/// </summary>
public sealed class LinkFailureTests : IDisposable
{
    private readonly FabricModel _model = Topologies.DualHomed();
    private readonly FabricRig _rig;
    private readonly CompiledFabric _before;

    public LinkFailureTests()
    {
        _before = FabricCompiler.Compile(_model.Snapshot());
        _rig = new FabricRig(_model.Snapshot());
        _rig.Install(_before);
    }

    [Fact]
    public void The_primary_path_runs_over_the_cheaper_uplink()
    {
        var (labels, outputs) = Trace(_before);

        Assert.Equal([_before.UplinkNumber("e1", "e1-c1")], outputs);
        Assert.Equal([_before.ServiceLabel("e2", "dst"), _before.TransportLabel("c1", "e2")], labels);
        Assert.Single(Delivered());
    }

    [Fact]
    public void A_cut_uplink_fails_over_to_the_backup_bucket_before_any_recompile()
    {
        _rig.Cut("e1", "e1-c1", "c1", "e1-c1");
        _rig.Pump(1);

        var (labels, outputs) = Trace(_before);

        Assert.Equal([_before.UplinkNumber("e1", "e1-c2")], outputs);
        Assert.Equal([_before.ServiceLabel("e2", "dst"), _before.TransportLabel("c2", "e2")], labels);
        Assert.Single(Delivered());
    }

    [Fact]
    public void After_the_link_goes_down_the_recompiled_fabric_takes_the_new_path_and_changes_only_what_it_must()
    {
        _rig.Cut("e1", "e1-c1", "c1", "e1-c1");
        _model.SetLinkState("e1-c1", adminDown: true);

        var after = FabricCompiler.Compile(_model.Snapshot(), _before);
        var e1Diff = NodeProgram.Diff(_before.ProgramOf("e1"), after.ProgramOf("e1"), _before.Version, after.Version);
        _rig.Install(after);
        var (labels, outputs) = Trace(after);

        Assert.Equal([after.UplinkNumber("e1", "e1-c2")], outputs);
        Assert.Equal([after.ServiceLabel("e2", "dst"), after.TransportLabel("c2", "e2")], labels);
        Assert.Single(Delivered());
        var group = Assert.Single(e1Diff.GroupMods);
        Assert.Equal((ModOp.Modify, 1), (group.Op, group.Group.Buckets.Count));
        Assert.Empty(e1Diff.FlowMods);
        Assert.Empty(NodeProgram.Diff(_before.ProgramOf("e2"), after.ProgramOf("e2"), _before.Version, after.Version).FlowMods);
        Assert.True(NodeProgram.IsEmpty(NodeProgram.Diff(_before.ProgramOf("c2"), after.ProgramOf("c2"), _before.Version, after.Version)));
        Assert.Equal(_before.TransportLabel("c2", "e2"), after.TransportLabel("c2", "e2"));
    }

    public void Dispose() => _rig.Dispose();

    [Fact]
    public void A_cut_that_a_program_install_sees_first_is_still_reported_to_the_controller()
    {
        var e1 = _rig.EdgeProgrammers["e1"];
        Assert.Contains(e1.RefreshLiveness(), status => status is { Interface: "e1-c1", Up: true });

        _rig.Cut("e1", "e1-c1", "c1", "e1-c1");
        _model.SetLinkState("e1-c2", adminDown: true); // any change to e1's program
        _rig.Install(FabricCompiler.Compile(_model.Snapshot(), _before));

        Assert.Contains(e1.RefreshLiveness(), status => status is { Interface: "e1-c1", Up: false });
    }

    private (IEnumerable<uint> Labels, IReadOnlyList<uint> Outputs) Trace(CompiledFabric compiled)
    {
        var (src, dst) = (Port("src"), Port("dst"));
        var trace = _rig.Edges["e1"].Trace(compiled.VnicNumber("e1", "src"), Traffic.Udp(src, dst));
        var labels = trace.Actions.Select(a => a.MplsLabelWritten).OfType<uint>().ToList();
        return (labels, trace.Outputs);
    }

    private IReadOnlyList<byte[]> Delivered() => _rig.Send("src", Traffic.Udp(Port("src"), Port("dst")))["dst"];

    private Port Port(string name) => _model.Get(ResourceKinds.Ports, name);
}
