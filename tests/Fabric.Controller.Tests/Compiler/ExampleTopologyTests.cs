using Sdn.Fabric.Controller.Compiler;
using Sdn.Fabric.Controller.Tests.Topology;

namespace Sdn.Fabric.Controller.Tests.Compiler;

/// <summary>Every example topology loads into the model and compiles to a program for each of its nodes.</summary>
public class ExampleTopologyTests
{
    [Theory]
    [MemberData(nameof(TopologyFileTests.ExampleTopologies), MemberType = typeof(TopologyFileTests))]
    public void An_example_topology_compiles_for_every_node(string file)
    {
        var state = Topologies.Load(file).Snapshot();

        var compiled = FabricCompiler.Compile(state);

        Assert.All(state.Edges, e => Assert.NotEmpty(compiled.ProgramOf(e.Name).Flows));
        Assert.All(state.CoreNodes, c => Assert.NotEmpty(compiled.ProgramOf(c.Name).Lfib));
        Assert.All(state.Ports, p => Assert.True(compiled.ServiceLabel(p.Edge, p.Name) >= 16));
    }
}
