using System.Net;
using Sdn.Contracts;
using Sdn.Fabric.Controller.Model;

namespace Sdn.Fabric.Controller.Compiler;

/// <summary>
/// The NAT gateway's entries, as <see cref="EdgeCompiler"/> places them in its fragments: on the gateway edge, the
/// external network's port (<see cref="ExternalEntries"/>) and the way back to each port of an attached tenant
/// (<see cref="InboundEntries"/>); on every edge hosting such a tenant, its ways out (<see cref="OutsideEntries"/>,
/// and <see cref="FloatingExitEntries"/> for a port with a floating IP). Each is compiled for IPv4 and, when the
/// external network has an IPv6 side, for IPv6 alike (<see cref="GatewaySide"/>). docs/architecture.md, "The NAT
/// gateway", draws the whole path.
/// </summary>
public static class GatewayCompiler
{
    /// <summary>
    /// A tenant's packet to the router for an address of its own subnets that no port holds goes nowhere; above the
    /// ways out, below the routes to its ports.
    /// </summary>
    private const uint Unrouted = 30;

    /// <summary>The lowest way out; a floating IP's source and a destination on the external subnet each rank above.</summary>
    private const uint Exit = 10;

    /// <summary>
    /// The outside's neighbour solicitations and advertisements, learned from: above the tracker's entry for the
    /// gateway's IPv6 address, which a unicast advertisement to it matches too, and below the answered solicitations.
    /// </summary>
    private const uint NeighbourDiscovery = EdgeCompiler.Matched + 10;

    /// <summary>A packet as it arrives from outside, before its tracker lookup; what that lookup recirculates is tracked.</summary>
    private static readonly FieldMatch Untracked = ProgramMessages.CtState(0, ProgramMessages.CtTracked);

    /// <summary>
    /// The external network's port: what arrives there goes to the neighbour table. Every ARP packet, and every IPv6
    /// neighbour solicitation and advertisement, teaches the edge its sender's MAC (the outside's next hops are not in
    /// the model; one RFC 4861 says to discard is dropped and counted); an ARP request or a neighbour solicitation
    /// (duplicate address detection's too) for the gateway's address or a floating IP of its family is answered with
    /// the gateway's MAC. A packet to the gateway's address goes through the tracker in the external network's zone,
    /// which rewrites a reply back to the port its connection came from and recirculates it into this table, where
    /// <see cref="InboundEntries"/> take it on. The rest drops.
    /// </summary>
    public static IEnumerable<FlowEntry> ExternalEntries(CompileContext context, string edge, ExternalNetwork external)
    {
        var inPort = ProgramMessages.Exact(Field.InPort, context.Number(CompiledFabric.PortScope(edge), CompiledFabric.ExternalKey(external.Name)));
        var mac = MacAddress.GatewayOf(external);
        var arp = ProgramMessages.Exact(Field.EthType, ProgramMessages.EthArp);
        yield return ProgramMessages.Flow(EdgeTables.Classify, EdgeCompiler.Matched, [inPort], ProgramMessages.Goto(EdgeTables.Neighbours));
        foreach (var side in GatewaySide.Of(external))
        {
            foreach (var address in context.FloatingIpsOf(side).Prepend(side.Address))
            {
                yield return side.IsIpv6
                    ? ProgramMessages.Flow(
                        EdgeTables.Neighbours,
                        EdgeCompiler.Answered,
                        [inPort, .. Icmpv6(EdgeCompiler.NeighbourSolicitation), ProgramMessages.Address(Field.NdTarget, address)],
                        ProgramMessages.Apply(ProgramMessages.LearnNeighbour(), ProgramMessages.NdResponder(address, mac, router: address == side.Address)))
                    : ProgramMessages.Flow(
                        EdgeTables.Neighbours,
                        EdgeCompiler.Answered,
                        [inPort, arp, ProgramMessages.Exact(Field.ArpOp, EdgeCompiler.ArpRequest), ProgramMessages.Address(Field.ArpTpa, address)],
                        ProgramMessages.Apply(ProgramMessages.LearnNeighbour(), ProgramMessages.ArpResponder(address, mac)));
            }

            yield return ProgramMessages.Flow(
                EdgeTables.Neighbours,
                EdgeCompiler.Matched,
                [inPort, Untracked, ProgramMessages.Exact(Field.EthType, side.EthType), ProgramMessages.Address(side.DestinationField, side.Address)],
                ProgramMessages.Apply(ProgramMessages.Ct(context.ZoneOf(external), nat: true, table: EdgeTables.Neighbours)));
            if (side.IsIpv6)
            {
                foreach (var type in new[] { EdgeCompiler.NeighbourSolicitation, EdgeCompiler.NeighbourAdvertisement })
                {
                    yield return ProgramMessages.Flow(EdgeTables.Neighbours, NeighbourDiscovery, [inPort, .. Icmpv6(type)], ProgramMessages.Apply(ProgramMessages.LearnNeighbour()));
                }
            }
        }

        yield return ProgramMessages.Flow(EdgeTables.Neighbours, EdgeCompiler.Matched, [inPort, arp], ProgramMessages.Apply(ProgramMessages.LearnNeighbour()));
        yield return ProgramMessages.Flow(EdgeTables.Neighbours, EdgeCompiler.Unanswered, [inPort], ProgramMessages.Apply(ProgramMessages.Drop(DropReason.Unspecified)));
    }

    /// <summary>
    /// The tenant's ways out, on <paramref name="edge"/>, for each family the external network has a side of: a packet
    /// to its router for an address outside all its networks goes out of <paramref name="external"/> as the gateway's
    /// address (<see cref="ExitActions"/>), here when this is the gateway edge, else across the core under the label of
    /// its way out. The gateway edge also takes those labels from the core into the same translation, and the direct
    /// way's translated packets back (<see cref="DirectEntries"/>).
    /// </summary>
    public static IEnumerable<FlowEntry> OutsideEntries(CompileContext context, string edge, string tenant, ExternalNetwork external)
    {
        foreach (var side in GatewaySide.Of(external))
        {
            var toRouter = ToRouter(context, tenant, side);
            foreach (var network in context.NetworksOf(tenant).Where(n => side.SubnetOf(n).Length > 0))
            {
                yield return ProgramMessages.Flow(EdgeTables.Route, Unrouted, [.. toRouter, ProgramMessages.Prefix(IPNetwork.Parse(side.SubnetOf(network)), source: false)], ProgramMessages.Apply(ProgramMessages.Drop(DropReason.Unspecified)));
            }

            foreach (var entry in ExitEntries(context, edge, tenant, side, floating: null, toRouter))
            {
                yield return entry;
            }

            if (edge != external.Edge)
            {
                continue;
            }

            foreach (var routed in side.Exits)
            {
                yield return FromCore(context, side, CompiledFabric.OutsideKey(tenant, string.Empty, routed, side.IsIpv6), ExitActions(context, side, tenant, floating: null, routed));
            }

            foreach (var entry in DirectEntries(context, tenant, side))
            {
                yield return entry;
            }
        }
    }

    /// <summary>
    /// On the gateway edge, the tenant's translated packets for the external subnet back from their direct way out (see
    /// <see cref="ExitActions"/>), told by their connection's zone in reg0: one for the gateway's own address or a
    /// floating IP arrives again on the external port, as from outside (hairpin); the rest leaves to the destination.
    /// </summary>
    private static IEnumerable<FlowEntry> DirectEntries(CompileContext context, string tenant, GatewaySide side)
    {
        var external = side.External;
        var port = context.Number(CompiledFabric.PortScope(external.Edge), CompiledFabric.ExternalKey(external.Name));
        FieldMatch[] translated =
        [
            ProgramMessages.Exact(Field.Reg0, context.Number(CompiledFabric.TenantScope, tenant)),
            ProgramMessages.CtState(ProgramMessages.CtTracked),
            ProgramMessages.Exact(Field.EthType, side.EthType),
        ];
        foreach (var address in context.FloatingIpsOf(side).Prepend(side.Address))
        {
            yield return ProgramMessages.Flow(
                EdgeTables.Egress,
                EdgeCompiler.Answered,
                [.. translated, ProgramMessages.Address(side.DestinationField, address)],
                ProgramMessages.Apply(ProgramMessages.DecrementTtl(), ProgramMessages.Loopback(port)));
        }

        yield return ProgramMessages.Flow(
            EdgeTables.Egress,
            EdgeCompiler.Matched,
            translated,
            ProgramMessages.Apply(
                ProgramMessages.SetMac(Field.EthSrc, MacAddress.GatewayOf(external)),
                ProgramMessages.DecrementTtl(),
                ProgramMessages.ResolveNeighbour(port, null, side.Address),
                ProgramMessages.Output(port)));
    }

    /// <summary>
    /// The route table's ways out for the tenant's packets to its router: one per exit of the external network's side,
    /// from <paramref name="floating"/>'s address only when given (its own translation, a rank above the gateway's).
    /// </summary>
    private static IEnumerable<FlowEntry> ExitEntries(CompileContext context, string edge, string tenant, GatewaySide side, Port? floating, FieldMatch[] toRouter)
    {
        FieldMatch[] source = floating is null ? [] : [ProgramMessages.Address(side.SourceField, side.AddressOf(floating))];
        foreach (var routed in side.Exits)
        {
            // With a router, a destination on the external subnet is reached straight, a rank above the router's way.
            var onSubnet = !routed && side.Router.Length > 0;
            FieldMatch[] destination = onSubnet ? [ProgramMessages.Prefix(IPNetwork.Parse(side.Subnet), source: false)] : [];
            var priority = Exit + (floating is null ? 0u : 2u) + (onSubnet ? 1u : 0u);
            var label = CompiledFabric.OutsideKey(tenant, floating?.Name ?? string.Empty, routed, side.IsIpv6);
            if (Toward(context, edge, side.External, label, ExitActions(context, side, tenant, floating, routed)) is { } instruction)
            {
                yield return ProgramMessages.Flow(EdgeTables.Route, priority, [.. toRouter, .. source, .. destination], instruction);
            }
        }
    }

    /// <summary>
    /// How a way out leaves <paramref name="edge"/>: translated and sent outside here on the gateway edge, else under
    /// its label into the gateway edge's uplink group; null when no path leads there.
    /// </summary>
    private static Instruction? Toward(CompileContext context, string edge, ExternalNetwork external, string label, FlowAction[] exit)
    {
        if (edge == external.Edge)
        {
            return ProgramMessages.Apply(exit);
        }

        if (!context.Numberings[CompiledFabric.GroupScope(edge)].Numbers.TryGetValue(CompiledFabric.LspKey(external.Edge), out var group))
        {
            return null;
        }

        var service = context.Number(CompiledFabric.LabelScope(external.Edge), label);
        return ProgramMessages.Apply(ProgramMessages.PushMpls(), ProgramMessages.SetMplsLabel(service), ProgramMessages.PushMpls(), ProgramMessages.Group(group));
    }

    /// <summary>A way out arriving on the gateway edge from the core: the label names it (and its family); pop it and go out.</summary>
    private static FlowEntry FromCore(CompileContext context, GatewaySide side, string label, FlowAction[] exit) => ProgramMessages.Flow(
        EdgeTables.Egress,
        EdgeCompiler.Matched,
        [
            ProgramMessages.Exact(Field.EthType, ProgramMessages.EthMpls),
            ProgramMessages.Exact(Field.MplsLabel, context.Number(CompiledFabric.LabelScope(side.External.Edge), label)),
            ProgramMessages.Exact(Field.MplsBos, 1),
        ],
        ProgramMessages.Apply([ProgramMessages.PopMpls(side.EthType), .. exit]));

    /// <summary>
    /// A tenant's packet leaving by the external port: a new connection is committed in the tenant's zone with its
    /// source translated to the gateway's address of the packet's family (the reply way in the external network's
    /// zone, where replies from outside are looked up) or 1:1 to <paramref name="floating"/>'s floating IP of that
    /// family, whose replies and newcomers the destination translation of <see cref="InboundEntries"/> meets in the
    /// tenant's zone; every packet of it is rewritten so. The frame leaves from the gateway's MAC to the next hop's, as
    /// the edge learned it from ARP or neighbour discovery: the outside router's when <paramref name="routed"/>. A
    /// destination on the external subnet goes, translated, to the egress table instead, where one that is the
    /// gateway's own address or a floating IP arrives again on the external port (hairpin, as OVN does: the port it
    /// reaches answers the sender's translated address, so the answer comes back through the gateway) and the rest
    /// leaves to the destination's own MAC.
    /// </summary>
    private static FlowAction[] ExitActions(CompileContext context, GatewaySide side, string tenant, Port? floating, bool routed)
    {
        var external = side.External;
        var port = context.Number(CompiledFabric.PortScope(external.Edge), CompiledFabric.ExternalKey(external.Name));
        var translation = floating is null ? ProgramMessages.SourceNat(side.Address, context.ZoneOf(external)) : ProgramMessages.SourceNat(side.FloatingOf(floating));
        var zone = context.Number(CompiledFabric.TenantScope, tenant);
        if (!routed)
        {
            // A destination on the external subnet may be the gateway's own address or a floating IP (hairpin): the
            // egress table decides on the translated packet (see DirectEntries).
            return [ProgramMessages.Ct(zone, commit: true, table: EdgeTables.Egress, translation: translation)];
        }

        return
        [
            ProgramMessages.Ct(zone, commit: true, translation: translation),
            ProgramMessages.SetMac(Field.EthSrc, MacAddress.GatewayOf(external)),

            // The hop is the packet's: a neighbour solicitation sent in its place must leave with its own hop limit of 255.
            ProgramMessages.DecrementTtl(),
            ProgramMessages.ResolveNeighbour(port, side.Router, side.Address),
            ProgramMessages.Output(port),
        ];
    }

    /// <summary>
    /// What the gateway edge delivers from outside to <paramref name="port"/>, for each family the port and the
    /// external network share. Every packet from outside goes through the tracker first and comes back to the
    /// neighbour table as it rewrote it, with its connection's zone (the tenant's) in reg0: a reply to the gateway's
    /// address rewritten back to the port, and for a floating IP anything sent to it, its destination translated to
    /// the port in the tenant's zone (uncommitted while new). There the tenant's router moves it onto the port's
    /// network and the tenant's ACL table decides on it as on a packet between its ports, seeing the outside's own
    /// source address and the port's; a new connection it lets through is committed, with its translation, on the way
    /// to the forward table, which delivers locally or across the core. The port's own way out arriving from the core
    /// is here too.
    /// </summary>
    public static IEnumerable<FlowEntry> InboundEntries(CompileContext context, ExternalNetwork external, Port port)
    {
        var network = context.Networks[port.Network];
        var zone = context.Number(CompiledFabric.TenantScope, network.Tenant);
        var inPort = ProgramMessages.Exact(Field.InPort, context.Number(CompiledFabric.PortScope(external.Edge), CompiledFabric.ExternalKey(external.Name)));
        var inZone = ProgramMessages.Exact(Field.Reg0, zone);
        foreach (var side in GatewaySide.Of(external).Where(side => side.AddressOf(port).Length > 0))
        {
            var family = ProgramMessages.Exact(Field.EthType, side.EthType);
            var toPort = ProgramMessages.Address(side.DestinationField, side.AddressOf(port));
            yield return ProgramMessages.Flow(
                EdgeTables.Neighbours,
                EdgeCompiler.Matched,
                [inPort, inZone, ProgramMessages.CtState(ProgramMessages.CtTracked, ProgramMessages.CtInvalid), family, toPort],
                EdgeCompiler.RouterHop(context, network, port, next: EdgeTables.Acl));
            if (side.FloatingOf(port).Length == 0)
            {
                continue;
            }

            yield return ProgramMessages.Flow(
                EdgeTables.Neighbours,
                EdgeCompiler.Matched,
                [inPort, Untracked, family, ProgramMessages.Address(side.DestinationField, side.FloatingOf(port))],
                ProgramMessages.Apply(ProgramMessages.Ct(zone, table: EdgeTables.Neighbours, translation: ProgramMessages.DestinationNat(side.AddressOf(port)))));
            yield return ProgramMessages.Flow(
                EdgeTables.Route,
                EdgeCompiler.Matched,
                [inPort, inZone, ProgramMessages.CtState(ProgramMessages.CtTracked | ProgramMessages.CtNew), family, toPort],
                ProgramMessages.Apply(ProgramMessages.Ct(zone, commit: true)),
                ProgramMessages.Goto(EdgeTables.Forward));
            foreach (var routed in side.Exits)
            {
                yield return FromCore(context, side, CompiledFabric.OutsideKey(network.Tenant, port.Name, routed, side.IsIpv6), ExitActions(context, side, network.Tenant, port, routed));
            }
        }
    }

    /// <summary>A local port's own ways out through its floating IPs, for each family it has one of and its tenant an external network.</summary>
    public static IEnumerable<FlowEntry> FloatingExitEntries(CompileContext context, string edge, Port port)
    {
        var tenant = context.Networks[port.Network].Tenant;
        return context.ExternalOfTenant(tenant) is { } external
            ? GatewaySide.Of(external).Where(side => side.FloatingOf(port).Length > 0)
                .SelectMany(side => ExitEntries(context, edge, tenant, side, port, ToRouter(context, tenant, side)))
            : [];
    }

    /// <summary>A tenant's packets of <paramref name="side"/>'s family to its router.</summary>
    private static FieldMatch[] ToRouter(CompileContext context, string tenant, GatewaySide side) =>
    [
        ProgramMessages.Tenant(context.Number(CompiledFabric.TenantScope, tenant)),
        ProgramMessages.Mac(Field.EthDst, MacAddress.RouterOf(tenant)),
        ProgramMessages.Exact(Field.EthType, side.EthType),
    ];

    /// <summary>ICMPv6 messages of <paramref name="type"/>.</summary>
    private static FieldMatch[] Icmpv6(uint type) =>
    [
        ProgramMessages.Exact(Field.EthType, ProgramMessages.EthIpv6),
        ProgramMessages.Exact(Field.IpProto, EdgeCompiler.Icmpv6),
        ProgramMessages.Exact(Field.IcmpType, type),
    ];
}
