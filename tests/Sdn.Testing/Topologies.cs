using Sdn.Contracts;
using Sdn.Fabric.Controller.Model;
using Sdn.Fabric.Controller.Topology;

namespace Sdn.Testing;

/// <summary>The repository's example topologies, loaded into fresh in-memory models.</summary>
public static class Topologies
{
    public static FabricModel MultiTenant() => Load("multi-tenant.yaml");

    /// <summary>
    /// e1 is dual-homed, to c1 (cost 1) and c2 (cost 5), both of which reach e2; tenant acme's network lan has
    /// port src on e1 and port dst on e2.
    /// </summary>
    /// <param name="store">Where the model saves its state; in memory only when null.</param>
    public static FabricModel DualHomed(StateStore? store = null)
    {
        var model = new FabricModel(store);
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
        return model;
    }

    public static FabricModel Load(string file)
    {
        var model = new FabricModel(store: null);
        TopologyFile.Load(RepositoryRoot.Combine("topologies", file)).LoadInto(model);
        return model;
    }
}
