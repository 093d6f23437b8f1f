using Sdn.Contracts;
using Sdn.Fabric.Controller.Compiler;
using Sdn.Fabric.Controller.Model;

namespace Sdn.Benchmarks.Edge;

/// <summary>
/// One tenant with two networks, front (10.1.0.0/24) and back (10.2.0.0/24), on edges e1 and e2 joined through
/// core node c1, built in the model and compiled by the controller's compiler. e1 holds the senders, both on front:
/// <see cref="Secure"/> with port security on, as ports have it by default, and <see cref="Open"/> with it off.
/// e2 holds <see cref="Near"/> on front and <see cref="Far"/> on back. With <paramref name="acl"/>, the tenant has
/// that one ACL rule allowing UDP from front to back, stateful or not.
/// </summary>
internal sealed class TenantFabric
{
    public const string Ingress = "e1";
    public const string Egress = "e2";
    public const string Core = "c1";

    /// <summary>e1's interface toward c1, named after its link.</summary>
    public const string Uplink = "e1-c1";

    public const string Secure = "secure";
    public const string Open = "open";
    public const string Near = "near";
    public const string Far = "far";

    public TenantFabric(bool? acl = null)
    {
        var model = new FabricModel(store: null);
        model.Create(ResourceKinds.Edges, new EdgeNode { Name = Ingress });
        model.Create(ResourceKinds.Edges, new EdgeNode { Name = Egress });
        model.Create(ResourceKinds.CoreNodes, new CoreNode { Name = Core });
        foreach (var edge in new[] { Ingress, Egress })
        {
            model.Create(ResourceKinds.Links, new Link { Name = $"{edge}-{Core}", A = new LinkEndpoint { Node = edge }, B = new LinkEndpoint { Node = Core }, Cost = 1 });
        }

        model.Create(ResourceKinds.Tenants, new Tenant { Name = "acme" });
        model.Create(ResourceKinds.Networks, new Network { Name = "front", Tenant = "acme", Ipv4Subnet = "10.1.0.0/24" });
        model.Create(ResourceKinds.Networks, new Network { Name = "back", Tenant = "acme", Ipv4Subnet = "10.2.0.0/24" });
        model.Create(ResourceKinds.Ports, new Port { Name = Secure, Network = "front", Edge = Ingress });
        model.Create(ResourceKinds.Ports, new Port { Name = Open, Network = "front", Edge = Ingress, PortSecurity = false });
        model.Create(ResourceKinds.Ports, new Port { Name = Near, Network = "front", Edge = Egress });
        model.Create(ResourceKinds.Ports, new Port { Name = Far, Network = "back", Edge = Egress });
        if (acl is { } stateful)
        {
            model.Create(ResourceKinds.AclRules, new AclRule
            {
                Name = "front-to-back",
                Tenant = "acme",
                Priority = 100,
                Action = AclAction.Allow,
                SrcCidr = "10.1.0.0/24",
                DstCidr = "10.2.0.0/24",
                Protocol = 17,
                Stateful = stateful,
            });
        }

        State = model.Snapshot();
        Compiled = FabricCompiler.Compile(State);
    }

    public FabricState State { get; }

    public CompiledFabric Compiled { get; }

    public Port Port(string name) => State.Ports.Single(p => p.Name == name);

    public Network NetworkOf(Port port) => State.Networks.Single(n => n.Name == port.Network);
}
