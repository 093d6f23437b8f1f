using Sdn.Contracts;
using Sdn.Fabric.Controller.Model;

namespace Sdn.Fabric.Controller.Tests.Model;

/// <summary>A model saved in a temporary directory, holding a small two-tenant fabric.</summary>
internal sealed class ModelFixture : IDisposable
{
    public ModelFixture(bool populated = true)
    {
        Directory = Path.Combine(Path.GetTempPath(), "sdn-model-" + Guid.NewGuid().ToString("N"));
        Store = new StateStore(Directory);
        Model = new FabricModel(Store);
        if (populated)
        {
            Populate(Model);
        }
    }

    public string Directory { get; }

    public StateStore Store { get; }

    public FabricModel Model { get; private set; }

    /// <summary>Two edges and a core node linked to both; tenants acme (network web 10.0.1.0/24, port web1) and globex.</summary>
    public static void Populate(FabricModel model)
    {
        model.Create(ResourceKinds.Edges, new EdgeNode { Name = "e1" });
        model.Create(ResourceKinds.Edges, new EdgeNode { Name = "e2" });
        model.Create(ResourceKinds.CoreNodes, new CoreNode { Name = "c1" });
        model.Create(ResourceKinds.Links, new Link { Name = "e1-c1", A = new LinkEndpoint { Node = "e1" }, B = new LinkEndpoint { Node = "c1" } });
        model.Create(ResourceKinds.Links, new Link { Name = "e2-c1", A = new LinkEndpoint { Node = "e2" }, B = new LinkEndpoint { Node = "c1" } });
        model.Create(ResourceKinds.Tenants, new Tenant { Name = "acme" });
        model.Create(ResourceKinds.Tenants, new Tenant { Name = "globex" });
        model.Create(ResourceKinds.Networks, new Network { Name = "web", Tenant = "acme", Ipv4Subnet = "10.0.1.0/24" });
        model.Create(ResourceKinds.Ports, new Port { Name = "web1", Network = "web", Edge = "e1" });
        model.Create(ResourceKinds.AclRules, new AclRule { Name = "no-telnet", Tenant = "acme", Priority = 100, Action = AclAction.Deny, Protocol = 6, DstPorts = new PortRange { First = 23, Last = 23 } });
    }

    /// <summary>A new model over the same directory, as after a controller restart.</summary>
    public FabricModel Restart() => Model = new FabricModel(new StateStore(Directory));

    public void Dispose()
    {
        if (System.IO.Directory.Exists(Directory))
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }
}
