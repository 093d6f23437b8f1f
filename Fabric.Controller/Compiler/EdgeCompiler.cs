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
    private const uint Matched = 100;
    private const uint Answered = 200;
    private const uint Refused = 300;
    private const uint Spoofed = 10;
    private const ushort ArpRequest = 1;
    private const uint Icmpv6 = 58;
    private const uint Udp = 17;
    private const uint NeighbourSolicitation = 135;
    private const ushort DhcpClient = 68;
    private const ushort DhcpServer = 67;

    /// <summary>A lease is the port's for as long as the port exists; an hour only sets how often the host renews.</summary>
    private const uint DhcpLeaseSeconds = 3600;

    public static NodeProgram Compile(CompileContext context, string edge)
    {
        var local = context.State.Ports.Where(p => p.Edge == edge).OrderBy(p => p.Name, StringComparer.Ordinal).ToList();
        var attached = local.Select(p => p.Network).ToHashSet(StringComparer.Ordinal);
        var tenants = local.Select(p => context.Networks[p.Network].Tenant).ToHashSet(StringComparer.Ordinal);
        var networks = context.State.Networks.Where(n => tenants.Contains(n.Tenant)).OrderBy(n => n.Name, StringComparer.Ordinal).ToList();
        var ports = context.Numberings[CompiledFabric.PortScope(edge)];
        var groups = context.Numberings[CompiledFabric.GroupScope(edge)];

        var stateful = context.State.AclRules.Where(r => r.Stateful && tenants.Contains(r.Tenant)).Select(r => r.Tenant).ToHashSet(StringComparer.Ordinal);
        var portConfigs = local.Select(p => PortRealizations.Endpoint(context, p, ports[CompiledFabric.VnicKey(p.Name)]))
            .Concat(context.LinksOf(edge).Select(l => PortRealizations.LinkEnd(context, l, edge, ports[CompiledFabric.UplinkKey(context.InterfaceOf(l.Name, edge))])));

        var groupEntries = context.DestinationsFrom(edge)
            .Select(d => UplinkGroup(context, edge, d, groups[CompiledFabric.LspKey(d)], ports));

        var flows = new List<FlowEntry>
        {
            ProgramMessages.Flow(EdgeTables.Neighbours, Matched, [ProgramMessages.Exact(Field.EthType, ProgramMessages.EthArp)]),
            ProgramMessages.Flow(EdgeTables.Neighbours, Refused, [.. Solicitation(), ProgramMessages.Address(Field.Ipv6Src, IPAddress.IPv6Any.ToString())]),
            ProgramMessages.Flow(EdgeTables.Neighbours, Refused, [ProgramMessages.Exact(Field.EthType, ProgramMessages.EthArp), ProgramMessages.Address(Field.ArpSpa, IPAddress.Any.ToString())]),
        };

        foreach (var iface in context.InterfacesOf(edge))
        {
            flows.Add(ProgramMessages.Flow(EdgeTables.Classify, Matched, [ProgramMessages.Exact(Field.InPort, ports[CompiledFabric.UplinkKey(iface)])], ProgramMessages.Goto(EdgeTables.Egress)));
        }

        foreach (var port in local)
        {
            var number = ports[CompiledFabric.VnicKey(port.Name)];
            var metadata = context.MetadataOf(context.Networks[port.Network]);
            flows.Add(ProgramMessages.Flow(
                EdgeTables.Classify, Matched, [ProgramMessages.Exact(Field.InPort, number)], ProgramMessages.WriteMetadata(metadata, ulong.MaxValue), ProgramMessages.Goto(EdgeTables.PortSecurity)));
            flows.AddRange(PortSecurityEntries(port, number));
            flows.Add(DhcpEntry(context, port, number));
            flows.AddRange(EgressEntries(context, edge, port, number, stateful));
        }

        foreach (var network in networks)
        {
            if (attached.Contains(network.Name))
            {
                flows.AddRange(NeighbourEntries(context, network));
            }

            flows.AddRange(ForwardEntries(context, edge, network, ports, groups));
        }

        foreach (var tenant in tenants.Order(StringComparer.Ordinal).Where(t => networks.Count(n => n.Tenant == t) > 1))
        {
            flows.AddRange(RouteEntries(context, tenant, networks.Where(n => n.Tenant == tenant)));
        }

        foreach (var tenant in stateful.Order(StringComparer.Ordinal))
        {
            flows.AddRange(AclCompiler.Tracking(context.Number(CompiledFabric.TenantScope, tenant)));
        }

        foreach (var rule in context.State.AclRules.Where(r => tenants.Contains(r.Tenant)).OrderBy(r => r.Name, StringComparer.Ordinal))
        {
            flows.AddRange(AclCompiler.Compile(rule, context.Number(CompiledFabric.TenantScope, rule.Tenant)));
        }

        // Two rules may compile to the same entry; the first by name keeps it, as it would shadow the other anyway.
        return new NodeProgram(EdgeTables.Configs(), portConfigs, groupEntries, flows.DistinctBy(FlowIdentity.Of), []);
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

    /// <summary>ARP and neighbour discovery answers for every address of a network: its ports' and its gateway's.</summary>
    private static IEnumerable<FlowEntry> NeighbourEntries(CompileContext context, Network network)
    {
        var metadata = ProgramMessages.Masked(Field.Metadata, context.MetadataOf(network), EdgeTables.NetworkMask);
        var router = MacAddress.RouterOf(network.Tenant);
        var owners = context.PortsByNetwork.GetValueOrDefault(network.Name, [])
            .Select(p => (p.Ipv4, p.Ipv6, p.Mac, Router: false))
            .Append((network.Ipv4Gateway, network.Ipv6Gateway, router, Router: true));
        foreach (var (ipv4, ipv6, mac, isRouter) in owners)
        {
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
    /// The tenant's router: a packet to the router's MAC for a port of the tenant leaves with the router's MAC as
    /// source and the port's as destination, one hop fewer, on the port's network. It is forwarded from there as
    /// any packet of that network, so it reaches its port in one routing hop wherever the port lives.
    /// </summary>
    private static IEnumerable<FlowEntry> RouteEntries(CompileContext context, string tenant, IEnumerable<Network> networks)
    {
        var tenantMatch = ProgramMessages.Masked(Field.Metadata, (ulong)context.Number(CompiledFabric.TenantScope, tenant) << 32, EdgeTables.TenantMask);
        var router = MacAddress.RouterOf(tenant);
        var toRouter = ProgramMessages.Mac(Field.EthDst, router);
        foreach (var network in networks)
        {
            var onNetwork = ProgramMessages.WriteMetadata(context.MetadataOf(network), ulong.MaxValue);
            foreach (var port in context.PortsByNetwork.GetValueOrDefault(network.Name, []))
            {
                var rewrite = ProgramMessages.Apply(ProgramMessages.SetMac(Field.EthSrc, router), ProgramMessages.SetMac(Field.EthDst, port.Mac), ProgramMessages.DecrementTtl());
                foreach (var (ethType, destination, address) in new[] { (ProgramMessages.EthIpv4, Field.Ipv4Dst, port.Ipv4), (ProgramMessages.EthIpv6, Field.Ipv6Dst, port.Ipv6) })
                {
                    if (address.Length > 0)
                    {
                        yield return ProgramMessages.Flow(
                            EdgeTables.Route,
                            Matched,
                            [tenantMatch, toRouter, ProgramMessages.Exact(Field.EthType, ethType), ProgramMessages.Address(destination, address)],
                            rewrite,
                            onNetwork,
                            ProgramMessages.Goto(EdgeTables.Forward));
                    }
                }
            }
        }
    }

    /// <summary>Forwarding to every port of a network: out of its vNIC when local, under its service label when not.</summary>
    private static IEnumerable<FlowEntry> ForwardEntries(CompileContext context, string edge, Network network, StableNumbering ports, StableNumbering groups)
    {
        var metadata = ProgramMessages.Masked(Field.Metadata, context.MetadataOf(network), EdgeTables.NetworkMask);
        foreach (var port in context.PortsByNetwork.GetValueOrDefault(network.Name, []))
        {
            var toPort = ProgramMessages.Mac(Field.EthDst, port.Mac);
            if (port.Edge == edge)
            {
                yield return ProgramMessages.Flow(EdgeTables.Forward, Matched, [metadata, toPort], ProgramMessages.Apply(ProgramMessages.Output(ports[CompiledFabric.VnicKey(port.Name)])));
                continue;
            }

            if (!groups.Numbers.TryGetValue(CompiledFabric.LspKey(port.Edge), out var group))
            {
                continue;
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
    }

    /// <summary>A frame from the core whose service label names this port: pop it, restoring the frame's type, and deliver.</summary>
    /// <summary>The service label of each of the port's families to the port; through the tracker for a stateful tenant's port.</summary>
    private static IEnumerable<FlowEntry> EgressEntries(CompileContext context, string edge, Port port, uint number, HashSet<string> stateful)
    {
        var tenant = context.Networks[port.Network].Tenant;
        foreach (var ethType in CompileContext.ServiceFamilies(port))
        {
            var service = context.Number(CompiledFabric.LabelScope(edge), CompiledFabric.ServiceKey(port.Name, ethType));
            FlowAction[] actions = stateful.Contains(tenant)
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
