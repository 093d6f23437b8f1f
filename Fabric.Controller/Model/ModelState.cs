using Google.Protobuf;
using Sdn.Contracts;

namespace Sdn.Fabric.Controller.Model;

/// <summary>
/// One version of the desired state, persistent: every kind of object by name, and an index for each reference the
/// model's validation follows (the ports of a network, of an edge and targeting a port; the networks and ACL rules of
/// a tenant; the links of a node and their interfaces; the external networks of an edge, their tenants and floating IPs). A change makes a new version sharing almost everything with
/// this one, so it costs the same in a fabric of ten ports or of a hundred thousand, and a reader holding a version
/// sees it whole, never changing. Objects in it are never changed.
/// </summary>
public sealed class ModelState
{
    private long _nextPlace;

    private ModelState()
    {
    }

    public static ModelState Empty { get; } = new();

    public ulong Version { get; private set; }

    public ObjectTable<Tenant> Tenants { get; private set; } = new();

    public ObjectTable<Network> Networks { get; private set; } = new();

    public ObjectTable<Port> Ports { get; private set; } = new();

    public ObjectTable<AclRule> AclRules { get; private set; } = new();

    public ObjectTable<EdgeNode> Edges { get; private set; } = new();

    public ObjectTable<CoreNode> CoreNodes { get; private set; } = new();

    public ObjectTable<Link> Links { get; private set; } = new();

    public ObjectTable<ExternalNetwork> Externals { get; private set; } = new();

    /// <summary>By tenant.</summary>
    public NameIndex<Network> NetworksOfTenant { get; private set; } = new();

    /// <summary>By tenant.</summary>
    public NameIndex<AclRule> RulesOfTenant { get; private set; } = new();

    /// <summary>By network.</summary>
    public NameIndex<Port> PortsOfNetwork { get; private set; } = new();

    /// <summary>By edge.</summary>
    public NameIndex<Port> PortsOfEdge { get; private set; } = new();

    /// <summary>By the port their VM targets.</summary>
    public NameIndex<Port> PortsTargeting { get; private set; } = new();

    /// <summary>By edge.</summary>
    public NameIndex<ExternalNetwork> ExternalsOfEdge { get; private set; } = new();

    /// <summary>By the external network they reach the outside through.</summary>
    public NameIndex<Tenant> TenantsOfExternal { get; private set; } = new();

    /// <summary>By external network, by the floating IPs (IPv4 and IPv6) they hold.</summary>
    public NameIndex<Port> FloatingIps { get; private set; } = new();

    /// <summary>By node, by name.</summary>
    public NameIndex<Link> LinksOfNode { get; private set; } = new();

    /// <summary>By node, by the node's interface on the link.</summary>
    public NameIndex<Link> LinksByInterface { get; private set; } = new();

    public bool HasNode(string name) => Edges.Contains(name) || CoreNodes.Contains(name);

    /// <summary>The underlay address of a node; empty when the node runs with the controller.</summary>
    public string AddressOf(string node) => Edges.Find(node)?.Address ?? CoreNodes.Find(node)?.Address ?? string.Empty;

    /// <summary>The state <paramref name="state"/> holds, at its version, each kind in its order; the state's objects are taken, not copied.</summary>
    public static ModelState From(FabricState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var model = Empty;
        foreach (var item in StateObjects.InCreationOrder(state))
        {
            model = model.Put(item.Message);
        }

        return model.AtVersion(state.Version);
    }

    /// <summary>A copy of every object as one state message, each kind in creation order.</summary>
    public FabricState ToState()
    {
        var state = new FabricState { Version = Version };
        state.Tenants.AddRange(Tenants.InOrder().Select(i => i.Clone()));
        state.Networks.AddRange(Networks.InOrder().Select(i => i.Clone()));
        state.Ports.AddRange(Ports.InOrder().Select(i => i.Clone()));
        state.AclRules.AddRange(AclRules.InOrder().Select(i => i.Clone()));
        state.Edges.AddRange(Edges.InOrder().Select(i => i.Clone()));
        state.CoreNodes.AddRange(CoreNodes.InOrder().Select(i => i.Clone()));
        state.Links.AddRange(Links.InOrder().Select(i => i.Clone()));
        state.Externals.AddRange(Externals.InOrder().Select(i => i.Clone()));
        return state;
    }

    public ModelState AtVersion(ulong version)
    {
        var next = Copy();
        next.Version = version;
        return next;
    }

    /// <summary>The state with <paramref name="item"/> created, or in place of the object of its kind and name.</summary>
    public ModelState Put(IMessage item)
    {
        var next = Without(item).Copy();
        var place = _nextPlace;
        next._nextPlace = place + 1;
        switch (item)
        {
            case Tenant tenant:
                next.Tenants = Tenants.Put(tenant.Name, tenant, place);
                if (tenant.External.Length > 0)
                {
                    next.TenantsOfExternal = next.TenantsOfExternal.Add(tenant.External, tenant.Name, tenant);
                }

                break;
            case ExternalNetwork external:
                next.Externals = Externals.Put(external.Name, external, place);
                next.ExternalsOfEdge = next.ExternalsOfEdge.Add(external.Edge, external.Name, external);
                break;
            case Network network:
                next.Networks = Networks.Put(network.Name, network, place);
                next.NetworksOfTenant = next.NetworksOfTenant.Add(network.Tenant, network.Name, network);
                break;
            case Port port:
                next.Ports = Ports.Put(port.Name, port, place);
                next.PortsOfNetwork = next.PortsOfNetwork.Add(port.Network, port.Name, port);
                next.PortsOfEdge = next.PortsOfEdge.Add(port.Edge, port.Name, port);
                if (VmApps.TargetPort(port.Vm) is { } target)
                {
                    next.PortsTargeting = next.PortsTargeting.Add(target, port.Name, port);
                }

                foreach (var floating in Model.Ports.FloatingAddresses(port))
                {
                    next.FloatingIps = next.FloatingIps.Add(next.ExternalOf(port), floating, port);
                }

                break;
            case AclRule rule:
                next.AclRules = AclRules.Put(rule.Name, rule, place);
                next.RulesOfTenant = next.RulesOfTenant.Add(rule.Tenant, rule.Name, rule);
                break;
            case EdgeNode edge:
                next.Edges = Edges.Put(edge.Name, edge, place);
                break;
            case CoreNode core:
                next.CoreNodes = CoreNodes.Put(core.Name, core, place);
                break;
            case Link link:
                next.Links = Links.Put(link.Name, link, place);
                foreach (var end in new[] { link.A, link.B })
                {
                    next.LinksOfNode = next.LinksOfNode.Add(end.Node, link.Name, link);
                    next.LinksByInterface = next.LinksByInterface.Add(end.Node, end.Interface, link);
                }

                break;
            default:
                throw new ArgumentException($"{item.Descriptor.Name} is no object of the model", nameof(item));
        }

        return next;
    }

    /// <summary>The state without the object of <paramref name="item"/>'s kind and name, and its index entries.</summary>
    public ModelState Remove(IMessage item) => Without(item);

    /// <summary>The state after an event: <paramref name="item"/> removed for a DELETED one, else put; at <paramref name="version"/>.</summary>
    public ModelState Apply(EventType type, IMessage item, ulong version) =>
        (type == EventType.Deleted ? Remove(item) : Put(item)).AtVersion(version);

    private ModelState Without(IMessage item)
    {
        var next = Copy();
        switch (item)
        {
            case Tenant tenant when Tenants.Find(tenant.Name) is { } was:
                next.Tenants = Tenants.Remove(was.Name);
                next.TenantsOfExternal = TenantsOfExternal.Remove(was.External, was.Name);
                break;
            case ExternalNetwork external when Externals.Find(external.Name) is { } was:
                next.Externals = Externals.Remove(was.Name);
                next.ExternalsOfEdge = ExternalsOfEdge.Remove(was.Edge, was.Name);
                break;
            case Network network when Networks.Find(network.Name) is { } was:
                next.Networks = Networks.Remove(was.Name);
                next.NetworksOfTenant = NetworksOfTenant.Remove(was.Tenant, was.Name);
                break;
            case Port port when Ports.Find(port.Name) is { } was:
                next.Ports = Ports.Remove(was.Name);
                next.PortsOfNetwork = PortsOfNetwork.Remove(was.Network, was.Name);
                next.PortsOfEdge = PortsOfEdge.Remove(was.Edge, was.Name);
                if (VmApps.TargetPort(was.Vm) is { } target)
                {
                    next.PortsTargeting = PortsTargeting.Remove(target, was.Name);
                }

                foreach (var floating in Model.Ports.FloatingAddresses(was))
                {
                    next.FloatingIps = next.FloatingIps.Remove(ExternalOf(was), floating);
                }

                break;
            case AclRule rule when AclRules.Find(rule.Name) is { } was:
                next.AclRules = AclRules.Remove(was.Name);
                next.RulesOfTenant = RulesOfTenant.Remove(was.Tenant, was.Name);
                break;
            case EdgeNode edge:
                next.Edges = Edges.Remove(edge.Name);
                break;
            case CoreNode core:
                next.CoreNodes = CoreNodes.Remove(core.Name);
                break;
            case Link link when Links.Find(link.Name) is { } was:
                next.Links = Links.Remove(was.Name);
                foreach (var end in new[] { was.A, was.B })
                {
                    next.LinksOfNode = next.LinksOfNode.Remove(end.Node, was.Name);
                    next.LinksByInterface = next.LinksByInterface.Remove(end.Node, end.Interface);
                }

                break;
        }

        return next;
    }

    /// <summary>The external network of <paramref name="port"/>'s tenant; empty when it has none.</summary>
    public string ExternalOf(Port port)
    {
        ArgumentNullException.ThrowIfNull(port);
        return Networks.Find(port.Network) is { } network && Tenants.Find(network.Tenant) is { } tenant ? tenant.External : string.Empty;
    }

    private ModelState Copy() => (ModelState)MemberwiseClone();
}
