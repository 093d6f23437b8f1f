using Sdn.Fabric.Controller.Compiler;
using Sdn.Fabric.Controller.Model;
using Sdn.Fabric.Core.Protos;
using Sdn.Fabric.Core.Southbound;
using Sdn.Fabric.Edge.Datapath;

namespace Sdn.Fabric.Controller.Tests.Compiler;

/// <summary>
/// e1 is dual-homed: to c1 (cost 1) and c2 (cost 5), both of which reach e2. Cutting e1-c1 moves traffic to c2
/// at once through the fast-failover group; recompiling with the link down moves the primary path there too.
/// </summary>
public sealed class LinkFailureTests : IDisposable
{
    private readonly FabricModel model = new(store: null);
    private readonly FabricRig rig;
    private readonly CompiledFabric before;

    public LinkFailureTests()
    {
        foreach (var edge in new[] { "e1", "e2" })
        {
            model.Create(ResourceKinds.Edges, new EdgeNode { Name = edge });
        }

        foreach (var core in new[] { "c1", "c2" })
        {
            model.Create(ResourceKinds.CoreNodes, new CoreNode { Name = core });
        }

        foreach (var (a, b, cost) in new[] { ("e1", "c1", 1u), ("e1", "c2", 5u), ("c1", "e2", 1u), ("c2", "e2", 1u) })
        {
            model.Create(ResourceKinds.Links, new Link { Name = $"{a}-{b}", A = new LinkEndpoint { Node = a }, B = new LinkEndpoint { Node = b }, Cost = cost });
        }

        model.Create(ResourceKinds.Tenants, new Tenant { Name = "acme" });
        model.Create(ResourceKinds.Networks, new Network { Name = "lan", Tenant = "acme", Ipv4Subnet = "10.1.0.0/24" });
        model.Create(ResourceKinds.Ports, new Port { Name = "src", Network = "lan", Edge = "e1" });
        model.Create(ResourceKinds.Ports, new Port { Name = "dst", Network = "lan", Edge = "e2" });
        before = FabricCompiler.Compile(model.Snapshot());
        rig = new FabricRig(model.Snapshot());
        rig.Install(before);
    }

    [Fact]
    public void The_primary_path_runs_over_the_cheaper_uplink()
    {
        var (labels, outputs) = Trace(before);

        Assert.Equal([before.UplinkNumber("e1", "e1-c1")], outputs);
        Assert.Equal([before.ServiceLabel("e2", "dst"), before.TransportLabel("c1", "e2")], labels);
        Assert.Single(Delivered());
    }

    [Fact]
    public void A_cut_uplink_fails_over_to_the_backup_bucket_before_any_recompile()
    {
        rig.Cut("e1", "e1-c1", "c1", "e1-c1");
        rig.Pump(1);

        var (labels, outputs) = Trace(before);

        Assert.Equal([before.UplinkNumber("e1", "e1-c2")], outputs);
        Assert.Equal([before.ServiceLabel("e2", "dst"), before.TransportLabel("c2", "e2")], labels);
        Assert.Single(Delivered());
    }

    [Fact]
    public void After_the_link_goes_down_the_recompiled_fabric_takes_the_new_path_and_changes_only_what_it_must()
    {
        rig.Cut("e1", "e1-c1", "c1", "e1-c1");
        model.SetLinkState("e1-c1", adminDown: true);

        var after = FabricCompiler.Compile(model.Snapshot(), before);
        var e1Diff = before.ProgramOf("e1").DiffTo(after.ProgramOf("e1"), after.Version, before.Version);
        rig.Install(after);
        var (labels, outputs) = Trace(after);

        Assert.Equal([after.UplinkNumber("e1", "e1-c2")], outputs);
        Assert.Equal([after.ServiceLabel("e2", "dst"), after.TransportLabel("c2", "e2")], labels);
        Assert.Single(Delivered());
        var group = Assert.Single(e1Diff.GroupMods);
        Assert.Equal((ModOp.Modify, 1), (group.Op, group.Group.Buckets.Count));
        Assert.Empty(e1Diff.FlowMods);
        Assert.Empty(before.ProgramOf("e2").DiffTo(after.ProgramOf("e2"), after.Version, before.Version).FlowMods);
        Assert.True(NodeProgram.IsEmpty(before.ProgramOf("c2").DiffTo(after.ProgramOf("c2"), after.Version, before.Version)));
        Assert.Equal(before.TransportLabel("c2", "e2"), after.TransportLabel("c2", "e2"));
    }

    public void Dispose() => rig.Dispose();

    private (IEnumerable<uint> Labels, IReadOnlyList<uint> Outputs) Trace(CompiledFabric compiled)
    {
        var (src, dst) = (Port("src"), Port("dst"));
        var trace = rig.Edges["e1"].Trace(compiled.VnicNumber("e1", "src"), Traffic.Udp(src, dst));
        var labels = trace.Actions.Where(a => a.Kind == DatapathActionKind.SetField && a.Field == HeaderField.MplsLabel).Select(a => (uint)a.Value).ToList();
        return (labels, trace.Outputs);
    }

    private IReadOnlyList<byte[]> Delivered() => rig.Send("src", Traffic.Udp(Port("src"), Port("dst")))["dst"];

    private Port Port(string name) => model.Get(ResourceKinds.Ports, name);
}
