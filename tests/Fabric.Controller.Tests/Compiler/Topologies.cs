using Sdn.Fabric.Controller.Model;
using Sdn.Fabric.Controller.Tests.Topology;
using Sdn.Fabric.Controller.Topology;

namespace Sdn.Fabric.Controller.Tests.Compiler;

/// <summary>The repository's example topologies, loaded into fresh in-memory models.</summary>
internal static class Topologies
{
    public static FabricModel MultiTenant() => Load("multi-tenant.yaml");

    public static FabricModel Load(string file)
    {
        var model = new FabricModel(store: null);
        TopologyModel.Load(TopologyFile.Load(RepositoryRoot.Combine("topologies", file)), model);
        return model;
    }
}
