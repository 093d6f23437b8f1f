using System.Net;
using Sdn.Contracts;
using Sdn.Fabric.Controller.Model;

namespace Sdn.Fabric.Controller.Compiler;

/// <summary>
/// The NAT gateway's entries, as <see cref="EdgeCompiler"/> places them in its fragments: on the gateway edge, the
/// external network's port (<see cref="ExternalEntries"/>) and the way back to each port of an attached tenant
/// (<see cref="InboundEntries"/>); on every edge hosting such a tenant, its ways out (<see cref="OutsideEntries"/>,
/// and <see cref="FloatingExitEntries"/> for a port with a floating IP). docs/architecture.md, "The NAT gateway",
/// draws the whole path.
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

    /// <summary>A packet as it arrives from outside, before its tracker lookup; what that lookup recirculates is tracked.</summary>
    private static readonly FieldMatch Untracked = ProgramMessages.CtState(0, ProgramMessages.CtTracked);

    /// <summary>
    /// The external network's port: what arrives there goes to the neighbour table. Every ARP packet teaches the edge
    /// its sender's MAC (the outside's next hops are not in the model); a request for the gateway's address or a
    /// floating IP is answered with the gateway's MAC. A packet to the gateway's address goes through the tracker in
    /// the external network's zone, which rewrites a reply back to the port its connection came from and recirculates
    /// it into this table, where <see cref="InboundEntries"/> take it on. The rest drops.
    /// </summary>
    public static IEnumerable<FlowEntry> ExternalEntries(CompileContext context, string edge, ExternalNetwork external)
    {
        var inPort = ProgramMessages.Exact(Field.InPort, context.Number(CompiledFabric.PortScope(edge), CompiledFabric.ExternalKey(external.Name)));
        var mac = MacAddress.GatewayOf(external);
        var arp = ProgramMessages.Exact(Field.EthType, ProgramMessages.EthArp);
        yield return ProgramMessages.Flow(EdgeTables.Classify, EdgeCompiler.Matched, [inPort], ProgramMessages.Goto(EdgeTables.Neighbours));
        foreach (var address in context.FloatingIpsOf(external.Name).Prepend(external.Ipv4Address))
        {
            yield return ProgramMessages.Flow(
                EdgeTables.Neighbours,
                EdgeCompiler.Answered,
                [inPort, arp, ProgramMessages.Exact(Field.ArpOp, EdgeCompiler.ArpRequest), ProgramMessages.Address(Field.ArpTpa, address)],
                ProgramMessages.Apply(ProgramMessages.LearnNeighbour(), ProgramMessages.ArpResponder(address, mac)));
        }

        yield return ProgramMessages.Flow(EdgeTables.Neighbours, EdgeCompiler.Matched, [inPort, arp], ProgramMessages.Apply(ProgramMessages.LearnNeighbour()));
        yield return ProgramMessages.Flow(
            EdgeTables.Neighbours,
            EdgeCompiler.Matched,
            [inPort, Untracked, ProgramMessages.Exact(Field.EthType, ProgramMessages.EthIpv4), ProgramMessages.Address(Field.Ipv4Dst, external.Ipv4Address)],
            ProgramMessages.Apply(ProgramMessages.Ct(context.ZoneOf(external), nat: true, table: EdgeTables.Neighbours)));
        yield return ProgramMessages.Flow(EdgeTables.Neighbours, EdgeCompiler.Unanswered, [inPort], ProgramMessages.Apply(ProgramMessages.Drop(DropReason.Unspecified)));
    }

    /// <summary>
    /// The tenant's way out, on <paramref name="edge"/>: a packet to its router for an address outside all its
    /// networks goes out of <paramref name="external"/> as the gateway's address (<see cref="ExitActions"/>), here
    /// when this is the gateway edge, else across the core under the label of its way out. The gateway edge also
    /// takes those labels from the core into the same translation, and the direct way's translated packets back
    /// (<see cref="DirectEntries"/>).
    /// </summary>
    public static IEnumerable<FlowEntry> OutsideEntries(CompileContext context, string edge, string tenant, ExternalNetwork external)
    {
        var toRouter = ToRouter(context, tenant);
        foreach (var network in context.NetworksOf(tenant))
        {
            yield return ProgramMessages.Flow(EdgeTables.Route, Unrouted, [.. toRouter, ProgramMessages.Prefix(IPNetwork.Parse(network.Ipv4Subnet), source: false)], ProgramMessages.Apply(ProgramMessages.Drop(DropReason.Unspecified)));
        }

        foreach (var entry in ExitEntries(context, edge, tenant, external, floating: null, toRouter))
        {
            yield return entry;
        }

        if (edge != external.Edge)
        {
            yield break;
        }

        foreach (var routed in CompileContext.Exits(external))
        {
            yield return FromCore(context, external, CompiledFabric.OutsideKey(tenant, string.Empty, routed), ExitActions(context, external, tenant, floating: null, routed));
        }

        foreach (var entry in DirectEntries(context, tenant, external))
        {
            yield return entry;
        }
    }

    /// <summary>
    /// On the gateway edge, the tenant's translated packets for the external subnet back from their direct way out (see
    /// <see cref="ExitActions"/>), told by their connection's zone in reg0: one for the gateway's own address or a
    /// floating IP arrives again on the external port, as from outside (hairpin); the rest leaves to the destination.
    /// </summary>
    private static IEnumerable<FlowEntry> DirectEntries(CompileContext context, string tenant, ExternalNetwork external)
    {
        var port = context.Number(CompiledFabric.PortScope(external.Edge), CompiledFabric.ExternalKey(external.Name));
        FieldMatch[] translated =
        [
            ProgramMessages.Exact(Field.Reg0, context.Number(CompiledFabric.TenantScope, tenant)),
            ProgramMessages.CtState(ProgramMessages.CtTracked),
            ProgramMessages.Exact(Field.EthType, ProgramMessages.EthIpv4),
        ];
        foreach (var address in context.FloatingIpsOf(external.Name).Prepend(external.Ipv4Address))
        {
            yield return ProgramMessages.Flow(
                EdgeTables.Egress,
                EdgeCompiler.Answered,
                [.. translated, ProgramMessages.Address(Field.Ipv4Dst, address)],
                ProgramMessages.Apply(ProgramMessages.DecrementTtl(), ProgramMessages.Loopback(port)));
        }

        yield return ProgramMessages.Flow(
            EdgeTables.Egress,
            EdgeCompiler.Matched,
            translated,
            ProgramMessages.Apply(
                ProgramMessages.SetMac(Field.EthSrc, MacAddress.GatewayOf(external)),
                ProgramMessages.ResolveNeighbour(port, null, external.Ipv4Address),
                ProgramMessages.DecrementTtl(),
                ProgramMessages.Output(port)));
    }

    /// <summary>
    /// The route table's ways out for the tenant's packets to its router: one per exit of the external network, from
    /// <paramref name="floating"/>'s address only when given (its own translation, a rank above the gateway's).
    /// </summary>
    private static IEnumerable<FlowEntry> ExitEntries(CompileContext context, string edge, string tenant, ExternalNetwork external, Port? floating, FieldMatch[] toRouter)
    {
        FieldMatch[] source = floating is null ? [] : [ProgramMessages.Address(Field.Ipv4Src, floating.Ipv4)];
        foreach (var routed in CompileContext.Exits(external))
        {
            // With a router, a destination on the external subnet is reached straight, a rank above the router's way.
            var onSubnet = !routed && external.Ipv4Router.Length > 0;
            FieldMatch[] destination = onSubnet ? [ProgramMessages.Prefix(IPNetwork.Parse(external.Ipv4Subnet), source: false)] : [];
            var priority = Exit + (floating is null ? 0u : 2u) + (onSubnet ? 1u : 0u);
            if (Toward(context, edge, external, CompiledFabric.OutsideKey(tenant, floating?.Name ?? string.Empty, routed), ExitActions(context, external, tenant, floating, routed)) is { } instruction)
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

    /// <summary>A way out arriving on the gateway edge from the core: the label names it; pop it and go out.</summary>
    private static FlowEntry FromCore(CompileContext context, ExternalNetwork external, string label, FlowAction[] exit) => ProgramMessages.Flow(
        EdgeTables.Egress,
        EdgeCompiler.Matched,
        [
            ProgramMessages.Exact(Field.EthType, ProgramMessages.EthMpls),
            ProgramMessages.Exact(Field.MplsLabel, context.Number(CompiledFabric.LabelScope(external.Edge), label)),
            ProgramMessages.Exact(Field.MplsBos, 1),
        ],
        ProgramMessages.Apply([ProgramMessages.PopMpls(ProgramMessages.EthIpv4), .. exit]));

    /// <summary>
    /// A tenant's packet leaving by the external port: a new connection is committed in the tenant's zone with its
    /// source translated to the gateway's address (the reply way in the external network's zone, where replies from
    /// outside are looked up) or 1:1 to <paramref name="floating"/>'s floating IP, whose replies and newcomers the
    /// destination translation of <see cref="InboundEntries"/> meets in the tenant's zone; every packet of it is
    /// rewritten so. The frame leaves from the gateway's MAC to the next hop's, as the edge learned it from ARP:
    /// the outside router's when <paramref name="routed"/>. A destination on the external subnet goes, translated,
    /// to the egress table instead, where one that is the gateway's own address or a floating IP arrives again on the
    /// external port (hairpin, as OVN does: the port it reaches answers the sender's translated address, so the
    /// answer comes back through the gateway) and the rest leaves to the destination's own MAC.
    /// </summary>
    private static FlowAction[] ExitActions(CompileContext context, ExternalNetwork external, string tenant, Port? floating, bool routed)
    {
        var port = context.Number(CompiledFabric.PortScope(external.Edge), CompiledFabric.ExternalKey(external.Name));
        var translation = floating is null ? ProgramMessages.SourceNat(external.Ipv4Address, context.ZoneOf(external)) : ProgramMessages.SourceNat(floating.FloatingIpv4);
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
            ProgramMessages.ResolveNeighbour(port, external.Ipv4Router, external.Ipv4Address),
            ProgramMessages.DecrementTtl(),
            ProgramMessages.Output(port),
        ];
    }

    /// <summary>
    /// What the gateway edge delivers from outside to <paramref name="port"/>. Every packet from outside goes through the
    /// tracker first and comes back to the neighbour table as it rewrote it, with its connection's zone (the tenant's)
    /// in reg0: a reply to the gateway's address rewritten back to the port, and for a floating IP anything sent to it,
    /// its destination translated to the port in the tenant's zone (uncommitted while new). There the tenant's router
    /// moves it onto the port's network and the tenant's ACL table decides on it as on a packet between its ports,
    /// seeing the outside's own source address and the port's; a new connection it lets through is committed, with its
    /// translation, on the way to the forward table, which delivers locally or across the core. The port's own way out
    /// arriving from the core is here too.
    /// </summary>
    public static IEnumerable<FlowEntry> InboundEntries(CompileContext context, ExternalNetwork external, Port port)
    {
        var network = context.Networks[port.Network];
        var zone = context.Number(CompiledFabric.TenantScope, network.Tenant);
        var inPort = ProgramMessages.Exact(Field.InPort, context.Number(CompiledFabric.PortScope(external.Edge), CompiledFabric.ExternalKey(external.Name)));
        var ipv4 = ProgramMessages.Exact(Field.EthType, ProgramMessages.EthIpv4);
        var toPort = ProgramMessages.Address(Field.Ipv4Dst, port.Ipv4);
        var inZone = ProgramMessages.Exact(Field.Reg0, zone);
        yield return ProgramMessages.Flow(
            EdgeTables.Neighbours,
            EdgeCompiler.Matched,
            [inPort, inZone, ProgramMessages.CtState(ProgramMessages.CtTracked, ProgramMessages.CtInvalid), ipv4, toPort],
            EdgeCompiler.RouterHop(context, network, port, next: EdgeTables.Acl));
        if (port.FloatingIpv4.Length == 0)
        {
            yield break;
        }

        yield return ProgramMessages.Flow(
            EdgeTables.Neighbours,
            EdgeCompiler.Matched,
            [inPort, Untracked, ipv4, ProgramMessages.Address(Field.Ipv4Dst, port.FloatingIpv4)],
            ProgramMessages.Apply(ProgramMessages.Ct(zone, table: EdgeTables.Neighbours, translation: ProgramMessages.DestinationNat(port.Ipv4))));
        yield return ProgramMessages.Flow(
            EdgeTables.Route,
            EdgeCompiler.Matched,
            [inPort, inZone, ProgramMessages.CtState(ProgramMessages.CtTracked | ProgramMessages.CtNew), ipv4, toPort],
            ProgramMessages.Apply(ProgramMessages.Ct(zone, commit: true)),
            ProgramMessages.Goto(EdgeTables.Forward));
        foreach (var routed in CompileContext.Exits(external))
        {
            yield return FromCore(context, external, CompiledFabric.OutsideKey(network.Tenant, port.Name, routed), ExitActions(context, external, network.Tenant, port, routed));
        }
    }

    /// <summary>A local port's own way out through its floating IP, when it has one and its tenant an external network.</summary>
    public static IEnumerable<FlowEntry> FloatingExitEntries(CompileContext context, string edge, Port port)
    {
        var tenant = context.Networks[port.Network].Tenant;
        return port.FloatingIpv4.Length > 0 && context.ExternalOfTenant(tenant) is { } external
            ? ExitEntries(context, edge, tenant, external, port, ToRouter(context, tenant))
            : [];
    }

    /// <summary>A tenant's IPv4 packets to its router.</summary>
    private static FieldMatch[] ToRouter(CompileContext context, string tenant) =>
    [
        ProgramMessages.Tenant(context.Number(CompiledFabric.TenantScope, tenant)),
        ProgramMessages.Mac(Field.EthDst, MacAddress.RouterOf(tenant)),
        ProgramMessages.Exact(Field.EthType, ProgramMessages.EthIpv4),
    ];
}
