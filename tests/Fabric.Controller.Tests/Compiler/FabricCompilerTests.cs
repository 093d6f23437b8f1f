using Google.Protobuf;
using Sdn.Contracts;
using Sdn.Contracts.Southbound;
using Sdn.Fabric.Controller.Compiler;
using Sdn.Fabric.Controller.Model;

namespace Sdn.Fabric.Controller.Tests.Compiler;

public class FabricCompilerTests
{
    [Fact]
    public void Compiling_the_same_state_twice_gives_the_same_bytes()
    {
        var state = Topologies.MultiTenant().Snapshot();

        var first = FabricCompiler.Compile(state);
        var second = FabricCompiler.Compile(state);

        foreach (var node in state.Edges.Select(e => e.Name).Concat(state.CoreNodes.Select(c => c.Name)))
        {
            Assert.Equal(first.ProgramOf(node).FullState(1).ToByteArray(), second.ProgramOf(node).FullState(1).ToByteArray());
        }
    }

    [Fact]
    public void Labels_are_unreserved_and_unique_per_node()
    {
        var compiled = FabricCompiler.Compile(Topologies.MultiTenant().Snapshot());

        foreach (var scope in compiled.Numberings.Where(n => n.Key.StartsWith("labels/", StringComparison.Ordinal)))
        {
            Assert.All(scope.Value.Numbers.Values, label => Assert.InRange(label, 16u, 0xFFFFFu));
            Assert.Equal(scope.Value.Numbers.Count, scope.Value.Numbers.Values.Distinct().Count());
        }
    }

    [Fact]
    public void Removing_a_port_frees_its_labels_and_keeps_everyone_elses()
    {
        var model = Topologies.MultiTenant();
        var before = FabricCompiler.Compile(model.Snapshot());

        model.Delete(ResourceKinds.Ports, "alpha-b1");
        var after = FabricCompiler.Compile(model.Snapshot(), before);
        model.Create(ResourceKinds.Ports, new Port { Name = "alpha-b2", Network = "alpha.back", Edge = "e3" });
        var again = FabricCompiler.Compile(model.Snapshot(), after);

        Assert.Equal(before.ServiceLabel("e3", "beta-f2"), after.ServiceLabel("e3", "beta-f2"));
        Assert.Equal(before.ServiceLabel("e3", "gamma-2"), after.ServiceLabel("e3", "gamma-2"));
        Assert.Equal(before.TransportLabel("c1", "e3"), after.TransportLabel("c1", "e3"));
        Assert.Equal(before.ServiceLabel("e3", "alpha-b1"), again.ServiceLabel("e3", "alpha-b2"));
        Assert.Equal(before.Version + 2, again.Version);
    }

    [Fact]
    public void A_diff_adds_modifies_and_deletes_exactly_what_changed()
    {
        var model = Topologies.MultiTenant();
        var before = FabricCompiler.Compile(model.Snapshot());
        model.Delete(ResourceKinds.Ports, "gamma-2");
        var after = FabricCompiler.Compile(model.Snapshot(), before);

        var e3 = NodeProgram.Diff(before.ProgramOf("e3"), after.ProgramOf("e3"), before.Version, after.Version);
        var e2 = NodeProgram.Diff(before.ProgramOf("e2"), after.ProgramOf("e2"), before.Version, after.Version);

        Assert.Equal([ModOp.Delete], e3.PortMods.Select(m => m.Op));
        Assert.All(e3.FlowMods, m => Assert.Equal(ModOp.Delete, m.Op));
        Assert.Equal(e3.FlowMods.Count, before.ProgramOf("e3").Flows.Count - after.ProgramOf("e3").Flows.Count);
        Assert.Equal(2, e2.FlowMods.Count(m => m.Op == ModOp.Delete));
        Assert.Equal((after.Version, before.Version), (e3.Version, e3.BaseVersion));
        Assert.Equal(after.ProgramOf("e3").Flows.Keys.Order(), before.ProgramOf("e3").Apply(e3).Flows.Keys.Order());
    }

    [Theory]
    [InlineData(23, 23, new[] { "23/ffff" })]
    [InlineData(1000, 1999, new[] { "1000/fff8", "1008/fff0", "1024/fe00", "1536/ff00", "1792/ff80", "1920/ffc0", "1984/fff0" })]
    [InlineData(0, 65535, new[] { "0/0" })]
    public void Port_ranges_become_the_fewest_masked_matches(int first, int last, string[] expected)
    {
        var cover = PortRangeCover.Of((uint)first, (uint)last).Select(c => $"{c.Value}/{c.Mask:x}");

        Assert.Equal(expected, cover);
    }
}
