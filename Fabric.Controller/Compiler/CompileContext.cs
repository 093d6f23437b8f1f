using System.Collections.Immutable;
using Google.Protobuf;
using Sdn.Common.Packets;
using Sdn.Contracts;
using Sdn.Contracts.Southbound;
using Sdn.Fabric.Controller.Model;
using Sdn.Fabric.Controller.Paths;

namespace Sdn.Fabric.Controller.Compiler;

/// <summary>
/// The compiler's view of its inputs: the model indexed for the lookups compiling needs (ports by network and by
/// edge, networks and ACL rules by tenant, which tenants and networks each edge hosts), the LSP trees, and every
/// number the programs use (tenant and network ids, labels, port numbers, group ids), assigned up front so each
/// node's program, and each fragment of it, can be compiled independently. <see cref="Apply"/> keeps it current
/// one model change at a time, so an incremental compiler never rebuilds it.
/// </summary>
public sealed class CompileContext
{
    private readonly Dictionary<string, Tenant> _tenants = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Network> _networks = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SortedDictionary<string, Network>> _networksByTenant = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Port> _ports = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SortedDictionary<string, Port>> _portsByNetwork = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SortedDictionary<string, Port>> _portsByEdge = new(StringComparer.Ordinal);
    private readonly Dictionary<string, AclRule> _rules = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SortedDictionary<string, AclRule>> _rulesByTenant = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, EdgeNode> _edges = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, CoreNode> _cores = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Link> _links = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SortedDictionary<string, Link>> _linksByNode = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ExternalNetwork> _externals = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SortedDictionary<string, ExternalNetwork>> _externalsByEdge = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SortedDictionary<string, Tenant>> _tenantsByExternal = new(StringComparer.Ordinal);
    private readonly NameTally _tenantsOnEdges = new();
    private readonly NameTally _networksOnEdges = new();

    /// <summary>External networks' zones count down from the top of the 16-bit zone space; tenants' zones are their numbers, counting up from 1.</summary>
    public const uint FirstExternalZone = ushort.MaxValue + 1 - ExternalNetworks.MaxExternalNetworks;

    /// <summary>A tenant's number is its conntrack zone, so tenants are numbered below the external networks' zones.</summary>
    public const uint LastTenantZone = FirstExternalZone - 1;

    public CompileContext(FabricState state, IReadOnlyDictionary<string, LspTree> trees, CompiledFabric? previous)
    {
        ArgumentNullException.ThrowIfNull(state);
        foreach (var item in StateObjects.InCreationOrder(state))
        {
            Apply(EventType.Created, item.Message);
        }

        Trees = trees;
        NumberAll(previous?.Numberings);
    }

    public IReadOnlyDictionary<string, LspTree> Trees { get; set; }

    public IReadOnlyDictionary<string, Network> Networks => _networks;

    public IReadOnlyDictionary<string, Link> Links => _links;

    public IReadOnlyDictionary<string, Port> Ports => _ports;

    public IReadOnlyDictionary<string, AclRule> Rules => _rules;

    public IReadOnlyDictionary<string, ExternalNetwork> Externals => _externals;

    public IEnumerable<string> EdgeNames => _edges.Keys;

    public IEnumerable<string> CoreNames => _cores.Keys;

    public ImmutableDictionary<string, StableNumbering> Numberings { get; private set; } = ImmutableDictionary.Create<string, StableNumbering>(StringComparer.Ordinal);

    /// <summary>Whether a change to <paramref name="item"/> can move paths, uplinks, link ends or ports to the outside: a node, a link or an external network.</summary>
    public static bool IsTopology(IMessage item) => item is EdgeNode or CoreNode or Link or ExternalNetwork;

    /// <summary>Takes one accepted model change into the indexes; numbers and trees are the caller's to bring up to date.</summary>
    public void Apply(EventType type, IMessage item)
    {
        var present = type != EventType.Deleted;
        switch (item)
        {
            case Tenant tenant:
                if (present && _tenants.TryGetValue(tenant.Name, out var oldTenant))
                {
                    ApplyTenant(oldTenant, present: false);
                }

                ApplyTenant(tenant, present);
                break;
            case Network network:
                if (present && _networks.TryGetValue(network.Name, out var oldNetwork))
                {
                    Set(_networksByTenant, oldNetwork.Tenant, oldNetwork.Name, oldNetwork, present: false);
                }

                Set(_networks, network.Name, network, present);
                Set(_networksByTenant, network.Tenant, network.Name, network, present);
                break;
            case Port port:
                if (present && _ports.TryGetValue(port.Name, out var oldPort))
                {
                    ApplyPort(oldPort, present: false);
                }

                ApplyPort(port, present);
                break;
            case AclRule rule:
                if (present && _rules.TryGetValue(rule.Name, out var oldRule))
                {
                    Set(_rulesByTenant, oldRule.Tenant, oldRule.Name, oldRule, present: false);
                }

                Set(_rules, rule.Name, rule, present);
                Set(_rulesByTenant, rule.Tenant, rule.Name, rule, present);
                break;
            case EdgeNode edge:
                Set(_edges, edge.Name, edge, present);
                break;
            case ExternalNetwork external:
                if (_externals.TryGetValue(external.Name, out var oldExternal))
                {
                    Set(_externalsByEdge, oldExternal.Edge, oldExternal.Name, oldExternal, present: false);
                    HostAtGateway(oldExternal, present: false);
                }

                Set(_externals, external.Name, external, present);
                Set(_externalsByEdge, external.Edge, external.Name, external, present);
                if (present)
                {
                    HostAtGateway(external, present: true);
                }

                break;
            case CoreNode core:
                Set(_cores, core.Name, core, present);
                break;
            case Link link:
                if (_links.TryGetValue(link.Name, out var was))
                {
                    Set(_linksByNode, was.A.Node, was.Name, was, present: false);
                    Set(_linksByNode, was.B.Node, was.Name, was, present: false);
                }

                Set(_links, link.Name, link, present);
                Set(_linksByNode, link.A.Node, link.Name, link, present);
                Set(_linksByNode, link.B.Node, link.Name, link, present);
                break;
            default:
                throw new ArgumentException($"{item.Descriptor.Name} is no object of the model", nameof(item));
        }
    }

    /// <summary>Numbers every scope afresh over the whole model, keeping what <paramref name="before"/> chose.</summary>
    public void NumberAll(IReadOnlyDictionary<string, StableNumbering>? before)
    {
        var kept = before ?? ImmutableDictionary<string, StableNumbering>.Empty;
        var numberings = ImmutableDictionary.CreateBuilder<string, StableNumbering>(StringComparer.Ordinal);
        void Assign(string scope, IEnumerable<string> names, uint first, uint last) =>
            numberings[scope] = StableNumbering.Assign(names, kept.GetValueOrDefault(scope, StableNumbering.Empty), first, last);

        Assign(CompiledFabric.TenantScope, _tenants.Keys, 1, LastTenantZone);
        Assign(CompiledFabric.NetworkScope, _networks.Keys, 1, uint.MaxValue);
        Assign(CompiledFabric.ExternalScope, _externals.Keys, FirstExternalZone, ushort.MaxValue);
        foreach (var edge in _edges.Keys)
        {
            Assign(CompiledFabric.LabelScope(edge), ServiceKeysOf(edge), MplsLabelStackEntry.FirstUnreservedLabel, MplsLabelStackEntry.MaxLabel);
            Assign(CompiledFabric.PortScope(edge), PortKeysOf(edge), 1, PortNumbers.EdgeLimit - 1);
            Assign(CompiledFabric.GroupScope(edge), DestinationsFrom(edge).Select(CompiledFabric.LspKey), 1, uint.MaxValue);
        }

        foreach (var core in _cores.Keys)
        {
            Assign(CompiledFabric.LabelScope(core), DestinationsFrom(core).Select(CompiledFabric.LspKey), MplsLabelStackEntry.FirstUnreservedLabel, MplsLabelStackEntry.MaxLabel);
            Assign(CompiledFabric.PortScope(core), InterfacesOf(core).Select(CompiledFabric.UplinkKey), 1, uint.MaxValue);
        }

        Numberings = numberings.ToImmutable();
    }

    /// <summary>Numbers again the scopes a local port's arrival or departure changes: the edge's port numbers and service labels.</summary>
    public void NumberPortsOf(string edge)
    {
        Renumber(CompiledFabric.LabelScope(edge), ServiceKeysOf(edge), MplsLabelStackEntry.FirstUnreservedLabel, MplsLabelStackEntry.MaxLabel);
        Renumber(CompiledFabric.PortScope(edge), PortKeysOf(edge), 1, PortNumbers.EdgeLimit - 1);
    }

    public void NumberTenants() => Renumber(CompiledFabric.TenantScope, _tenants.Keys, 1, LastTenantZone);

    public void NumberNetworks() => Renumber(CompiledFabric.NetworkScope, _networks.Keys, 1, uint.MaxValue);

    public uint Number(string scope, string name) => Numberings[scope][name];

    public ulong MetadataOf(Network network) =>
        EdgeTables.Metadata(Number(CompiledFabric.TenantScope, network.Tenant), Number(CompiledFabric.NetworkScope, network.Name));

    /// <summary>The ports of <paramref name="network"/>, in name order.</summary>
    public IEnumerable<Port> PortsOf(string network) => Values(_portsByNetwork, network);

    /// <summary>The ports on <paramref name="edge"/>, in name order.</summary>
    public IEnumerable<Port> LocalPorts(string edge) => Values(_portsByEdge, edge);

    /// <summary>The external networks whose gateway edge <paramref name="edge"/> is, by name.</summary>
    public IEnumerable<ExternalNetwork> ExternalsOn(string edge) => Values(_externalsByEdge, edge);

    /// <summary>The tenants attached to <paramref name="external"/>, by name.</summary>
    public IEnumerable<Tenant> TenantsOf(string external) => Values(_tenantsByExternal, external);

    /// <summary>The external network <paramref name="tenant"/> reaches the outside through; null when it has none.</summary>
    public ExternalNetwork? ExternalOfTenant(string tenant) =>
        _tenants.TryGetValue(tenant, out var found) && _externals.TryGetValue(found.External, out var external) ? external : null;

    /// <summary>The conntrack zone in which <paramref name="external"/>'s gateway indexes the replies to its address.</summary>
    public uint ZoneOf(ExternalNetwork external)
    {
        ArgumentNullException.ThrowIfNull(external);
        return Number(CompiledFabric.ExternalScope, external.Name);
    }

    /// <summary>The ports of <paramref name="tenant"/> that have a floating IP (an IPv6 one with <paramref name="ipv6"/>), in name order.</summary>
    public IEnumerable<Port> FloatingPortsOf(string tenant, bool ipv6 = false) =>
        NetworksOf(tenant).SelectMany(n => PortsOf(n.Name)).Where(p => (ipv6 ? p.FloatingIpv6 : p.FloatingIpv4).Length > 0).OrderBy(p => p.Name, StringComparer.Ordinal);

    /// <summary>The floating IPs of <paramref name="side"/>'s family held among the tenants attached to its external network, in port name order.</summary>
    public IEnumerable<string> FloatingIpsOf(GatewaySide side)
    {
        ArgumentNullException.ThrowIfNull(side);
        return _ports.Values.Where(p => side.FloatingOf(p).Length > 0 && ExternalOf(p)?.Name == side.External.Name).OrderBy(p => p.Name, StringComparer.Ordinal).Select(side.FloatingOf);
    }

    /// <summary>The external network of <paramref name="port"/>'s tenant; null when it has none.</summary>
    public ExternalNetwork? ExternalOf(Port port)
    {
        ArgumentNullException.ThrowIfNull(port);
        return _networks.TryGetValue(port.Network, out var network) ? ExternalOfTenant(network.Tenant) : null;
    }

    /// <summary>The networks of <paramref name="tenant"/>, in name order.</summary>
    public IEnumerable<Network> NetworksOf(string tenant) => Values(_networksByTenant, tenant);

    public int NetworkCount(string tenant) => _networksByTenant.TryGetValue(tenant, out var networks) ? networks.Count : 0;

    /// <summary>The ACL rules of <paramref name="tenant"/>, in name order.</summary>
    public IEnumerable<AclRule> RulesOf(string tenant) => Values(_rulesByTenant, tenant);

    /// <summary>Whether the tenant has a stateful ACL rule, so its traffic goes through the tracker.</summary>
    public bool IsStateful(string tenant) => RulesOf(tenant).Any(r => r.Stateful);

    /// <summary>The tenants with a port on <paramref name="edge"/>, or whose gateway edge it is, in no particular order.</summary>
    public IEnumerable<string> TenantsOn(string edge) => _tenantsOnEdges.SecondsOf(edge).Keys;

    /// <summary>The edges with a port of <paramref name="tenant"/>, and its gateway edge, in no particular order.</summary>
    public IEnumerable<string> EdgesHosting(string tenant) => _tenantsOnEdges.FirstsOf(tenant).Keys;

    /// <summary>How many ports of <paramref name="tenant"/> are on <paramref name="edge"/>, one more on its gateway edge.</summary>
    public int PortsOfTenantOn(string edge, string tenant) => _tenantsOnEdges.Count(edge, tenant);

    /// <summary>How many ports of <paramref name="network"/> are on <paramref name="edge"/>.</summary>
    public int PortsOfNetworkOn(string edge, string network) => _networksOnEdges.Count(edge, network);

    public bool Hosts(string edge, string tenant) => _tenantsOnEdges.Contains(edge, tenant);

    /// <summary>Whether <paramref name="edge"/> has a port on <paramref name="network"/>.</summary>
    public bool IsAttached(string edge, string network) => _networksOnEdges.Contains(edge, network);

    public bool IsCore(string node) => _cores.ContainsKey(node);

    /// <summary>The underlay address of a node; empty when the node runs with the controller.</summary>
    public string AddressOf(string node) =>
        _edges.TryGetValue(node, out var edge) ? edge.Address : _cores.TryGetValue(node, out var core) ? core.Address : string.Empty;

    /// <summary>The path graph of the nodes and links, administratively downed links down.</summary>
    public PathGraph Graph() =>
        new(
            _edges.Keys.Select(e => (Name: e, Role: PathNodeRole.Edge)).Concat(_cores.Keys.Select(c => (Name: c, Role: PathNodeRole.Core))).ToDictionary(n => n.Name, n => n.Role, StringComparer.Ordinal),
            _links.Values.Select(l => new PathLink(l.Name, l.A.Node, l.B.Node, l.Cost, !l.AdminDown)));

    /// <summary>Every destination edge <paramref name="node"/> has a route to, in name order.</summary>
    public IEnumerable<string> DestinationsFrom(string node) =>
        Trees.Where(t => t.Key != node && t.Value.Routes.ContainsKey(node)).Select(t => t.Key).Order(StringComparer.Ordinal);

    /// <summary>The links of <paramref name="node"/>, up or down, in name order.</summary>
    public IEnumerable<Link> LinksOf(string node) => Values(_linksByNode, node);

    /// <summary>The interface names of <paramref name="node"/>'s links, up or down.</summary>
    public IEnumerable<string> InterfacesOf(string node) => LinksOf(node).Select(l => InterfaceOf(l, node));

    /// <summary>The interface of <paramref name="node"/> on link <paramref name="link"/>.</summary>
    public string InterfaceOf(string link, string node) => InterfaceOf(_links[link], node);

    /// <summary>
    /// The label a packet carries on <paramref name="hop"/> toward <paramref name="destination"/>: the next node's
    /// transport label, or null when the next node is the destination edge itself (penultimate-hop popping).
    /// </summary>
    public uint? OutLabel(Hop hop, string destination) =>
        hop.To == destination ? null : Number(CompiledFabric.LabelScope(hop.To), CompiledFabric.LspKey(destination));

    /// <summary>
    /// The Ethernet types a port gets a service label for: one label per address family, because what lies
    /// under the label is not in the flow key, so the egress pop must know from the label what it pops to.
    /// </summary>
    public static IEnumerable<ushort> ServiceFamilies(Port port) =>
        string.IsNullOrEmpty(port.Ipv6) ? [ProgramMessages.EthIpv4] : [ProgramMessages.EthIpv4, ProgramMessages.EthIpv6];

    private static string InterfaceOf(Link link, string node) => link.A.Node == node ? link.A.Interface : link.B.Interface;

    /// <summary>The service labels of the edge's ports, and, on a gateway edge, the labels of its tenants' ways out.</summary>
    private IEnumerable<string> ServiceKeysOf(string edge) =>
        LocalPorts(edge).SelectMany(p => ServiceFamilies(p).Select(f => CompiledFabric.ServiceKey(p.Name, f)))
            .Concat(ExternalsOn(edge).SelectMany(e => TenantsOf(e.Name).SelectMany(t => OutsideKeysOf(e, t.Name))));

    private IEnumerable<string> OutsideKeysOf(ExternalNetwork external, string tenant) =>
        GatewaySide.Of(external).SelectMany(side => FloatingPortsOf(tenant, side.IsIpv6).Select(p => p.Name).Prepend(string.Empty)
            .SelectMany(port => side.Exits.Select(routed => CompiledFabric.OutsideKey(tenant, port, routed, side.IsIpv6))));

    private IEnumerable<string> PortKeysOf(string edge) =>
        LocalPorts(edge).Select(p => CompiledFabric.VnicKey(p.Name)).Concat(InterfacesOf(edge).Select(CompiledFabric.UplinkKey))
            .Concat(ExternalsOn(edge).Select(e => CompiledFabric.ExternalKey(e.Name)));

    private void Renumber(string scope, IEnumerable<string> names, uint first, uint last) =>
        Numberings = Numberings.SetItem(scope, StableNumbering.Assign(names, Numberings.GetValueOrDefault(scope, StableNumbering.Empty), first, last));

    private void ApplyTenant(Tenant tenant, bool present)
    {
        Set(_tenants, tenant.Name, tenant, present);
        if (tenant.External.Length == 0)
        {
            return;
        }

        Set(_tenantsByExternal, tenant.External, tenant.Name, tenant, present);
        if (_externals.TryGetValue(tenant.External, out var external))
        {
            HostAtGateway(external.Edge, tenant.Name, present);
        }
    }

    /// <summary>
    /// A gateway edge hosts the tenants attached to its external networks as if it had a port of each: it holds their
    /// forwarding, since it delivers the outside's packets to any of their ports.
    /// </summary>
    private void HostAtGateway(ExternalNetwork external, bool present)
    {
        foreach (var tenant in TenantsOf(external.Name))
        {
            HostAtGateway(external.Edge, tenant.Name, present);
        }
    }

    private void HostAtGateway(string edge, string tenant, bool present)
    {
        if (present)
        {
            _tenantsOnEdges.Add(edge, tenant);
        }
        else
        {
            _tenantsOnEdges.Remove(edge, tenant);
        }
    }

    private void ApplyPort(Port port, bool present)
    {
        Set(_ports, port.Name, port, present);
        Set(_portsByNetwork, port.Network, port.Name, port, present);
        Set(_portsByEdge, port.Edge, port.Name, port, present);
        var tenant = _networks[port.Network].Tenant;
        if (present)
        {
            _tenantsOnEdges.Add(port.Edge, tenant);
            _networksOnEdges.Add(port.Edge, port.Network);
        }
        else
        {
            _tenantsOnEdges.Remove(port.Edge, tenant);
            _networksOnEdges.Remove(port.Edge, port.Network);
        }
    }

    private static IEnumerable<T> Values<T>(Dictionary<string, SortedDictionary<string, T>> index, string key) =>
        index.TryGetValue(key, out var items) ? items.Values : Enumerable.Empty<T>();

    private static void Set<T>(IDictionary<string, T> items, string name, T item, bool present)
    {
        if (present)
        {
            items[name] = item;
        }
        else
        {
            items.Remove(name);
        }
    }

    private static void Set<T>(Dictionary<string, SortedDictionary<string, T>> index, string key, string name, T item, bool present)
    {
        if (!index.TryGetValue(key, out var items))
        {
            if (!present)
            {
                return;
            }

            index[key] = items = new SortedDictionary<string, T>(StringComparer.Ordinal);
        }

        Set(items, name, item, present);
        if (items.Count == 0)
        {
            index.Remove(key);
        }
    }
}
