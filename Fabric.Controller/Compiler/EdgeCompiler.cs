using System.Net;
using Sdn.Contracts;
using Sdn.Contracts.Southbound;
using Sdn.Fabric.Controller.Model;
using Sdn.Fabric.Controller.Paths;

namespace Sdn.Fabric.Controller.Compiler;

/// <summary>
/// One edge's program: its ports, one fast-failover group per reachable edge, and the tables of
/// <see cref="EdgeTables"/>. The edge holds what its ports' tenants need: every network of those tenants, since
/// their router delivers to any of them from here.
/// </summary>
public static class EdgeCompiler
{
    /// <summary>The priority of most entries; the gateway's (<see cref="GatewayCompiler"/>) rank around it.</summary>
    internal const uint Matched = 100;

    /// <summary>Neighbour answers, above what merely matches.</summary>
    internal const uint Answered = 200;
    private const uint Refused = 300;
    private const uint Spoofed = 10;

    /// <summary>Below the fixed ARP entry, so the two never overlap at one priority.</summary>
    internal const uint Unanswered = 50;

    internal const ushort ArpRequest = 1;
    internal const uint Icmpv6 = 58;
    internal const uint NeighbourSolicitation = 135;
    internal const uint NeighbourAdvertisement = 136;
    private const uint Udp = 17;
    private const ushort DhcpClient = 68;
    private const ushort DhcpServer = 67;

    /// <summary>A lease is the port's for as long as the port exists; an hour only sets how often the host renews.</summary>
    private const uint DhcpLeaseSeconds = 3600;

    public static NodeProgram Compile(CompileContext context, string edge)
    {
        ArgumentNullException.ThrowIfNull(context);
        var flows = FragmentsOf(context, edge).Order().SelectMany(key => Fragment(context, edge, key) ?? []);

        // Two rules may compile to the same entry; the first by name keeps it, as it would shadow the other anyway.
        return new NodeProgram(EdgeTables.Configs(), PortConfigs(context, edge), Groups(context, edge), flows.DistinctBy(FlowIdentity.Of), []);
    }

    /// <summary>The edge's ports: its local ports' endpoints, then its link ends.</summary>
    public static IEnumerable<PortConfig> PortConfigs(CompileContext context, string edge)
    {
        ArgumentNullException.ThrowIfNull(context);
        var ports = context.Numberings[CompiledFabric.PortScope(edge)];
        return context.LocalPorts(edge).Select(p => PortRealizations.Endpoint(context, p, ports[CompiledFabric.VnicKey(p.Name)]))
            .Concat(context.LinksOf(edge).Select(l => PortRealizations.LinkEnd(context, l, edge, ports[CompiledFabric.UplinkKey(context.InterfaceOf(l.Name, edge))])))
            .Concat(context.ExternalsOn(edge).Select(e => new PortConfig
            {
                Number = ports[CompiledFabric.ExternalKey(e.Name)],
                Name = e.Interface,
                Mac = MacAddress.GatewayOf(e),
                External = new ExternalPortLaunch { ExternalNetwork = e.Name, Interface = e.Interface },
            }));
    }

    /// <summary>One fast-failover group per destination edge the edge can reach.</summary>
    public static IEnumerable<Group> Groups(CompileContext context, string edge)
    {
        ArgumentNullException.ThrowIfNull(context);
        var ports = context.Numberings[CompiledFabric.PortScope(edge)];
        var groups = context.Numberings[CompiledFabric.GroupScope(edge)];
        return context.DestinationsFrom(edge).Select(d => UplinkGroup(context, edge, d, groups[CompiledFabric.LspKey(d)], ports));
    }

    /// <summary>Every fragment the edge's flow table is made of, in no particular order.</summary>
    public static IEnumerable<FragmentKey> FragmentsOf(CompileContext context, string edge)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.LocalPorts(edge).Select(p => FragmentKey.LocalPort(p.Name))
            .Prepend(FragmentKey.Fixed)
            .Concat(context.TenantsOn(edge).SelectMany(t => TenantFragments(context, edge, t)))
            .Concat(context.ExternalsOn(edge).SelectMany(e => context.TenantsOf(e.Name)
                .SelectMany(t => context.NetworksOf(t.Name))
                .SelectMany(n => context.PortsOf(n.Name))
                .Select(p => FragmentKey.Inbound(p.Name))
                .Prepend(FragmentKey.External(e.Name))));
    }

    /// <summary>The fragments <paramref name="edge"/> holds because it hosts <paramref name="tenant"/>: each network's, its router's and its ACL rules'.</summary>
    public static IEnumerable<FragmentKey> TenantFragments(CompileContext context, string edge, string tenant)
    {
        ArgumentNullException.ThrowIfNull(context);
        var routed = context.NetworkCount(tenant) > 1;
        foreach (var network in context.NetworksOf(tenant))
        {
            foreach (var key in NetworkFragments(context, edge, network.Name))
            {
                yield return key;
            }

            foreach (var port in routed ? context.PortsOf(network.Name) : [])
            {
                yield return FragmentKey.Route(tenant, network.Name, port.Name);
            }
        }

        if (context.IsStateful(tenant))
        {
            yield return FragmentKey.Tracking(tenant);
        }

        if (context.ExternalOfTenant(tenant) is not null)
        {
            yield return FragmentKey.Outside(tenant);
        }

        foreach (var rule in context.RulesOf(tenant))
        {
            yield return FragmentKey.Acl(rule.Name);
        }
    }

    /// <summary>A network's neighbour answers (where the edge is attached to it) and its forwarding entries.</summary>
    public static IEnumerable<FragmentKey> NetworkFragments(CompileContext context, string edge, string network)
    {
        ArgumentNullException.ThrowIfNull(context);
        var attached = context.IsAttached(edge, network);
        foreach (var port in context.PortsOf(network))
        {
            if (attached)
            {
                yield return FragmentKey.Neighbour(network, port.Name);
            }

            yield return FragmentKey.Forward(network, port.Name);
        }

        if (attached)
        {
            yield return FragmentKey.Gateway(network);
        }
    }

    /// <summary>
    /// The entries of one fragment of <paramref name="edge"/>'s flow table as the model stands, or null when the edge
    /// holds no such fragment: its port, network, tenant or rule is gone, or the edge no longer hosts its tenant.
    /// </summary>
    /// <param name="shared">
    /// Where fragments that compile to the same entries on every edge holding them (neighbour answers, gateways,
    /// routes, tracking and ACL rules) are kept once compiled, so that the edges of a tenant share one copy of them;
    /// valid while the model and numbers stay as they are. Null compiles every fragment afresh.
    /// </param>
    public static IReadOnlyList<FlowEntry>? Fragment(CompileContext context, string edge, FragmentKey key, Dictionary<FragmentKey, FlowEntry[]>? shared = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        switch (key.Kind)
        {
            case FragmentKind.Fixed:
                return FixedEntries(context, edge).ToArray();
            case FragmentKind.LocalPort:
                return context.Ports.TryGetValue(key.First, out var local) && local.Edge == edge ? LocalPortEntries(context, edge, local).ToArray() : null;
            case FragmentKind.Forward:
                return HostedPort(context, edge, key.First, key.Second) is { } target ? ForwardEntries(context, edge, context.Networks[key.First], target).ToArray() : null;
            case FragmentKind.External:
                return context.Externals.TryGetValue(key.First, out var external) && external.Edge == edge ? [.. GatewayCompiler.ExternalEntries(context, edge, external)] : null;
            case FragmentKind.Outside:
                return context.ExternalOfTenant(key.First) is { } exit && context.Hosts(edge, key.First) ? [.. GatewayCompiler.OutsideEntries(context, edge, key.First, exit)] : null;
            case FragmentKind.Inbound:
                return context.Ports.TryGetValue(key.First, out var inside) && context.ExternalOf(inside) is { } gateway && gateway.Edge == edge
                    ? [.. GatewayCompiler.InboundEntries(context, gateway, inside)]
                    : null;
            default:
                if (!Holds(context, edge, key))
                {
                    return null;
                }

                if (shared is null)
                {
                    return SameOnEveryEdge(context, key);
                }

                if (!shared.TryGetValue(key, out var entries))
                {
                    shared[key] = entries = SameOnEveryEdge(context, key);
                }

                return entries;
        }
    }

    /// <summary>Whether <paramref name="edge"/> holds a fragment whose entries are the same on every edge that does.</summary>
    private static bool Holds(CompileContext context, string edge, FragmentKey key) => key.Kind switch
    {
        FragmentKind.Neighbour => HostedPort(context, edge, key.First, key.Second) is not null && context.IsAttached(edge, key.First),
        FragmentKind.Gateway => context.Networks.ContainsKey(key.First) && context.IsAttached(edge, key.First),
        FragmentKind.Route => HostedPort(context, edge, key.Second, key.Third) is not null && context.NetworkCount(key.First) > 1,
        FragmentKind.Tracking => context.IsStateful(key.First) && context.Hosts(edge, key.First),
        FragmentKind.Acl => context.Rules.TryGetValue(key.First, out var rule) && context.Hosts(edge, rule.Tenant),
        _ => throw new ArgumentOutOfRangeException(nameof(key), key.Kind, "no such fragment kind"),
    };

    /// <summary>The entries of a fragment some edge holds, which are the same on every edge that holds it.</summary>
    private static FlowEntry[] SameOnEveryEdge(CompileContext context, FragmentKey key)
    {
        switch (key.Kind)
        {
            case FragmentKind.Neighbour:
                var owner = context.Ports[key.Second];
                return NeighbourEntries(context, context.Networks[key.First], owner.Ipv4, owner.Ipv6, owner.Mac, isRouter: false).ToArray();
            case FragmentKind.Gateway:
                var network = context.Networks[key.First];
                return NeighbourEntries(context, network, network.Ipv4Gateway, network.Ipv6Gateway, MacAddress.RouterOf(network.Tenant), isRouter: true).ToArray();
            case FragmentKind.Route:
                return RouteEntries(context, context.Networks[key.Second], context.Ports[key.Third]).ToArray();
            case FragmentKind.Tracking:
                return AclCompiler.Tracking(context.Number(CompiledFabric.TenantScope, key.First)).ToArray();
            default:
                var rule = context.Rules[key.First];
                return AclCompiler.Compile(rule, context.Number(CompiledFabric.TenantScope, rule.Tenant)).DistinctBy(FlowIdentity.Of).ToArray();
        }
    }

    /// <summary>Port <paramref name="port"/> when it is on <paramref name="network"/>, whose tenant <paramref name="edge"/> hosts.</summary>
    private static Port? HostedPort(CompileContext context, string edge, string network, string port) =>
        context.Ports.TryGetValue(port, out var found) && found.Network == network && context.Hosts(edge, context.Networks[network].Tenant) ? found : null;

    /// <summary>The neighbour table's answers that need no port, and each uplink's classify entry.</summary>
    private static IEnumerable<FlowEntry> FixedEntries(CompileContext context, string edge)
    {
        yield return ProgramMessages.Flow(EdgeTables.Neighbours, Matched, [ProgramMessages.Exact(Field.EthType, ProgramMessages.EthArp)]);
        yield return ProgramMessages.Flow(EdgeTables.Neighbours, Refused, [.. Solicitation(), ProgramMessages.Address(Field.Ipv6Src, IPAddress.IPv6Any.ToString())]);
        yield return ProgramMessages.Flow(EdgeTables.Neighbours, Refused, [ProgramMessages.Exact(Field.EthType, ProgramMessages.EthArp), ProgramMessages.Address(Field.ArpSpa, IPAddress.Any.ToString())]);
        var ports = context.Numberings[CompiledFabric.PortScope(edge)];
        foreach (var iface in context.InterfacesOf(edge))
        {
            yield return ProgramMessages.Flow(EdgeTables.Classify, Matched, [ProgramMessages.Exact(Field.InPort, ports[CompiledFabric.UplinkKey(iface)])], ProgramMessages.Goto(EdgeTables.Egress));
        }
    }

    /// <summary>A local port's classify, port-security, DHCP and egress entries, and its way out through its floating IP.</summary>
    private static IEnumerable<FlowEntry> LocalPortEntries(CompileContext context, string edge, Port port)
    {
        var number = context.Number(CompiledFabric.PortScope(edge), CompiledFabric.VnicKey(port.Name));
        var metadata = context.MetadataOf(context.Networks[port.Network]);
        yield return ProgramMessages.Flow(
            EdgeTables.Classify, Matched, [ProgramMessages.Exact(Field.InPort, number)], ProgramMessages.WriteMetadata(metadata, ulong.MaxValue), ProgramMessages.Goto(EdgeTables.PortSecurity));
        foreach (var entry in PortSecurityEntries(port, number))
        {
            yield return entry;
        }

        yield return DhcpEntry(context, port, number);
        foreach (var entry in EgressEntries(context, edge, port, number).Concat(GatewayCompiler.FloatingExitEntries(context, edge, port)))
        {
            yield return entry;
        }
    }

    /// <summary>
    /// What <paramref name="port"/> may send: frames from its own MAC carrying its own addresses, DHCP discovery,
    /// ARP probes (RFC 5227) and ICMPv6 from link-local or unspecified sources (neighbour discovery); the rest
    /// drops as spoofed. Probes and duplicate address detection go on only to be dropped unanswered: an answer
    /// would tell the host its own address is taken.
    /// </summary>
    private static IEnumerable<FlowEntry> PortSecurityEntries(Port port, uint number)
    {
        var inPort = ProgramMessages.Exact(Field.InPort, number);
        var onward = ProgramMessages.Goto(EdgeTables.Neighbours);
        if (!port.PortSecurity)
        {
            yield return ProgramMessages.Flow(EdgeTables.PortSecurity, Spoofed, [inPort], onward);
            yield break;
        }

        FlowEntry Allow(ushort ethType, params FieldMatch[] match) => ProgramMessages.Flow(
            EdgeTables.PortSecurity, Matched, [inPort, ProgramMessages.Mac(Field.EthSrc, port.Mac), ProgramMessages.Exact(Field.EthType, ethType), .. match], onward);

        yield return Allow(ProgramMessages.EthIpv4, ProgramMessages.Address(Field.Ipv4Src, port.Ipv4));
        yield return Allow(ProgramMessages.EthArp, ProgramMessages.Address(Field.ArpSpa, port.Ipv4));
        yield return Allow(ProgramMessages.EthArp, ProgramMessages.Address(Field.ArpSpa, IPAddress.Any.ToString()));
        yield return Allow(ProgramMessages.EthIpv4, [ProgramMessages.Address(Field.Ipv4Src, IPAddress.Any.ToString()), .. ToDhcpServer()]);
        if (!string.IsNullOrEmpty(port.Ipv6))
        {
            yield return Allow(ProgramMessages.EthIpv6, ProgramMessages.Address(Field.Ipv6Src, port.Ipv6));
        }

        yield return Allow(ProgramMessages.EthIpv6, ProgramMessages.Exact(Field.IpProto, Icmpv6), ProgramMessages.Prefix(IPNetwork.Parse("fe80::/10"), source: true));
        yield return Allow(ProgramMessages.EthIpv6, ProgramMessages.Exact(Field.IpProto, Icmpv6), ProgramMessages.Address(Field.Ipv6Src, IPAddress.IPv6Any.ToString()));
        yield return ProgramMessages.Flow(EdgeTables.PortSecurity, Spoofed, [inPort], ProgramMessages.Apply(ProgramMessages.Drop(DropReason.PortSecurity)));
    }

    /// <summary>ARP and neighbour discovery answers for one address owner of a network: a port, or its gateway.</summary>
    private static IEnumerable<FlowEntry> NeighbourEntries(CompileContext context, Network network, string ipv4, string ipv6, string mac, bool isRouter)
    {
        var metadata = ProgramMessages.Masked(Field.Metadata, context.MetadataOf(network), EdgeTables.NetworkMask);
        yield return ProgramMessages.Flow(
            EdgeTables.Neighbours,
            Answered,
            [metadata, ProgramMessages.Exact(Field.EthType, ProgramMessages.EthArp), ProgramMessages.Exact(Field.ArpOp, ArpRequest), ProgramMessages.Address(Field.ArpTpa, ipv4)],
            ProgramMessages.Apply(ProgramMessages.ArpResponder(ipv4, mac)));
        if (!string.IsNullOrEmpty(ipv6))
        {
            yield return ProgramMessages.Flow(
                EdgeTables.Neighbours,
                Answered,
                [metadata, .. Solicitation(), ProgramMessages.Address(Field.NdTarget, ipv6)],
                ProgramMessages.Apply(ProgramMessages.NdResponder(ipv6, mac, isRouter)));
        }
    }

    /// <summary>
    /// The edge answers every port's DHCP requests from the model, as OVN does: a host configured directly never asks,
    /// and one that asks gets the address port security would let it use anyway.
    /// </summary>
    private static FlowEntry DhcpEntry(CompileContext context, Port port, uint number)
    {
        var network = context.Networks[port.Network];
        return ProgramMessages.Flow(
            EdgeTables.Neighbours,
            Answered,
            [ProgramMessages.Exact(Field.InPort, number), ProgramMessages.Exact(Field.EthType, ProgramMessages.EthIpv4), .. ToDhcpServer()],
            ProgramMessages.Apply(ProgramMessages.DhcpResponder(network, port, MacAddress.RouterOf(network.Tenant), DhcpLeaseSeconds)));
    }

    /// <summary>A DHCP client's datagram to the server: what port security lets through from 0.0.0.0, and what the edge answers.</summary>
    private static FieldMatch[] ToDhcpServer() =>
    [
        ProgramMessages.Exact(Field.IpProto, Udp),
        ProgramMessages.Exact(Field.L4Src, DhcpClient),
        ProgramMessages.Exact(Field.L4Dst, DhcpServer),
    ];

    private static FieldMatch[] Solicitation() =>
    [
        ProgramMessages.Exact(Field.EthType, ProgramMessages.EthIpv6),
        ProgramMessages.Exact(Field.IpProto, Icmpv6),
        ProgramMessages.Exact(Field.IcmpType, NeighbourSolicitation),
    ];

    /// <summary>
    /// The tenant's router toward <paramref name="port"/>: a packet to the router's MAC for one of the port's addresses
    /// leaves with the router's MAC as source and the port's as destination, one hop fewer, on the port's network. It
    /// is forwarded from there as any packet of that network, so it reaches its port in one routing hop wherever the
    /// port lives.
    /// </summary>
    private static IEnumerable<FlowEntry> RouteEntries(CompileContext context, Network network, Port port)
    {
        var tenantMatch = ProgramMessages.Tenant(context.Number(CompiledFabric.TenantScope, network.Tenant));
        var toRouter = ProgramMessages.Mac(Field.EthDst, MacAddress.RouterOf(network.Tenant));
        var hop = RouterHop(context, network, port);
        foreach (var (ethType, destination, address) in new[] { (ProgramMessages.EthIpv4, Field.Ipv4Dst, port.Ipv4), (ProgramMessages.EthIpv6, Field.Ipv6Dst, port.Ipv6) })
        {
            if (address.Length > 0)
            {
                yield return ProgramMessages.Flow(
                    EdgeTables.Route,
                    Matched,
                    [tenantMatch, toRouter, ProgramMessages.Exact(Field.EthType, ethType), ProgramMessages.Address(destination, address)],
                    hop);
            }
        }
    }

    /// <summary>
    /// The tenant router's hop to <paramref name="port"/>: from the router's MAC to the port's, one hop fewer, on the
    /// port's network, then on to <paramref name="next"/> (forwarded, or first checked against the tenant's rules).
    /// </summary>
    internal static Instruction[] RouterHop(CompileContext context, Network network, Port port, uint next = EdgeTables.Forward) =>
    [
        ProgramMessages.Apply(ProgramMessages.SetMac(Field.EthSrc, MacAddress.RouterOf(network.Tenant)), ProgramMessages.SetMac(Field.EthDst, port.Mac), ProgramMessages.DecrementTtl()),
        ProgramMessages.WriteMetadata(context.MetadataOf(network), ulong.MaxValue),
        ProgramMessages.Goto(next),
    ];

    /// <summary>Forwarding to one port of a network: out of its vNIC when local, under its service label when not.</summary>
    private static IEnumerable<FlowEntry> ForwardEntries(CompileContext context, string edge, Network network, Port port)
    {
        var metadata = ProgramMessages.Masked(Field.Metadata, context.MetadataOf(network), EdgeTables.NetworkMask);
        var toPort = ProgramMessages.Mac(Field.EthDst, port.Mac);
        if (port.Edge == edge)
        {
            yield return ProgramMessages.Flow(
                EdgeTables.Forward, Matched, [metadata, toPort], ProgramMessages.Apply(ProgramMessages.Output(context.Number(CompiledFabric.PortScope(edge), CompiledFabric.VnicKey(port.Name)))));
            yield break;
        }

        if (!context.Numberings[CompiledFabric.GroupScope(edge)].Numbers.TryGetValue(CompiledFabric.LspKey(port.Edge), out var group))
        {
            yield break;
        }

        foreach (var ethType in CompileContext.ServiceFamilies(port))
        {
            var service = context.Number(CompiledFabric.LabelScope(port.Edge), CompiledFabric.ServiceKey(port.Name, ethType));
            yield return ProgramMessages.Flow(
                EdgeTables.Forward,
                Matched,
                [metadata, toPort, ProgramMessages.Exact(Field.EthType, ethType)],
                ProgramMessages.Apply(ProgramMessages.PushMpls(), ProgramMessages.SetMplsLabel(service), ProgramMessages.PushMpls(), ProgramMessages.Group(group)));
        }
    }

    /// <summary>A frame from the core whose service label names this port: pop it, restoring the frame's type, and deliver.</summary>
    /// <summary>The service label of each of the port's families to the port; through the tracker for a stateful tenant's port.</summary>
    private static IEnumerable<FlowEntry> EgressEntries(CompileContext context, string edge, Port port, uint number)
    {
        var tenant = context.Networks[port.Network].Tenant;
        var stateful = context.IsStateful(tenant);
        foreach (var ethType in CompileContext.ServiceFamilies(port))
        {
            var service = context.Number(CompiledFabric.LabelScope(edge), CompiledFabric.ServiceKey(port.Name, ethType));
            FlowAction[] actions = stateful
                ? [ProgramMessages.PopMpls(ethType), AclCompiler.EgressTracking(context.Number(CompiledFabric.TenantScope, tenant)), ProgramMessages.Output(number)]
                : [ProgramMessages.PopMpls(ethType), ProgramMessages.Output(number)];
            yield return ProgramMessages.Flow(
                EdgeTables.Egress,
                Matched,
                [ProgramMessages.Exact(Field.EthType, ProgramMessages.EthMpls), ProgramMessages.Exact(Field.MplsLabel, service), ProgramMessages.Exact(Field.MplsBos, 1)],
                ProgramMessages.Apply(actions));
        }
    }

    /// <summary>
    /// The uplinks toward one destination edge, in the order fast-failover tries them: the ECMP next hops of the
    /// primary path, then the first hop of the backup path. Each bucket watches its uplink and puts on the label
    /// its next hop expects (or pops the transport label when the next hop is the destination itself).
    /// </summary>
    private static Group UplinkGroup(CompileContext context, string edge, string destination, uint id, StableNumbering ports)
    {
        var route = context.Trees[destination].Routes[edge];
        var hops = route.NextHops.ToList();
        if (route.Backup is [var backup, ..] && hops.All(h => h.Link != backup.Link))
        {
            hops.Add(backup);
        }

        var group = new Group { GroupId = id, Type = GroupType.FastFailover };
        foreach (var hop in hops)
        {
            var iface = context.InterfaceOf(hop.Link, edge);
            var bucket = new Bucket { Watch = iface };
            bucket.Actions.Add(context.OutLabel(hop, destination) is { } label ? ProgramMessages.SetMplsLabel(label) : ProgramMessages.PopMpls(ProgramMessages.EthMpls));
            bucket.Actions.Add(ProgramMessages.Output(ports[CompiledFabric.UplinkKey(iface)]));
            group.Buckets.Add(bucket);
        }

        return group;
    }
}
