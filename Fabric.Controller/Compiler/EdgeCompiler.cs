using Sdn.Contracts;
using Sdn.Contracts.Southbound;
using Sdn.Fabric.Controller.Paths;

namespace Sdn.Fabric.Controller.Compiler;

/// <summary>One edge's program: its ports, one fast-failover group per reachable edge, and the five tables of <see cref="EdgeTables"/>.</summary>
public static class EdgeCompiler
{
    private const uint Matched = 100;
    private const uint ArpAnswered = 200;
    private const uint TableMiss = 0;
    private const ushort ArpRequest = 1;

    public static NodeProgram Compile(CompileContext context, string edge)
    {
        var local = context.State.Ports.Where(p => p.Edge == edge).OrderBy(p => p.Name, StringComparer.Ordinal).ToList();
        var networks = local.Select(p => context.Networks[p.Network]).DistinctBy(n => n.Name).ToList();
        var tenants = networks.Select(n => n.Tenant).ToHashSet(StringComparer.Ordinal);
        var ports = context.Numberings[CompiledFabric.PortScope(edge)];
        var groups = context.Numberings[CompiledFabric.GroupScope(edge)];

        var portConfigs = local.Select(p => PortRealizations.Endpoint(context, p, ports[CompiledFabric.VnicKey(p.Name)]))
            .Concat(context.LinksOf(edge).Select(l => PortRealizations.LinkEnd(context, l, edge, ports[CompiledFabric.UplinkKey(context.InterfaceOf(l.Name, edge))])));

        var groupEntries = context.DestinationsFrom(edge)
            .Select(d => UplinkGroup(context, edge, d, groups[CompiledFabric.LspKey(d)], ports));

        var flows = new List<FlowEntry>
        {
            ProgramMessages.Flow(EdgeTables.Classify, TableMiss, []),
            ProgramMessages.Flow(EdgeTables.Arp, TableMiss, [], ProgramMessages.Goto(EdgeTables.Acl)),
            ProgramMessages.Flow(EdgeTables.Arp, Matched, [ProgramMessages.Exact(Field.EthType, ProgramMessages.EthArp)]),
            ProgramMessages.Flow(EdgeTables.Acl, TableMiss, [], ProgramMessages.Goto(EdgeTables.Forward)),
            ProgramMessages.Flow(EdgeTables.Forward, TableMiss, []),
            ProgramMessages.Flow(EdgeTables.Egress, TableMiss, []),
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
                EdgeTables.Classify, Matched, [ProgramMessages.Exact(Field.InPort, number)], ProgramMessages.WriteMetadata(metadata, ulong.MaxValue), ProgramMessages.Goto(EdgeTables.Arp)));
            flows.AddRange(EgressEntries(context, edge, port, number));
        }

        foreach (var network in networks)
        {
            flows.AddRange(NetworkEntries(context, edge, network, ports, groups));
        }

        foreach (var rule in context.State.AclRules.Where(r => tenants.Contains(r.Tenant)).OrderBy(r => r.Name, StringComparer.Ordinal))
        {
            flows.AddRange(AclCompiler.Compile(rule, context.Number(CompiledFabric.TenantScope, rule.Tenant)));
        }

        // Two rules may compile to the same entry; the first by name keeps it, as it would shadow the other anyway.
        return new NodeProgram([], portConfigs, groupEntries, flows.DistinctBy(FlowIdentity.Of), []);
    }

    /// <summary>ARP answers and forwarding for every port of a network present on this edge.</summary>
    private static IEnumerable<FlowEntry> NetworkEntries(CompileContext context, string edge, Network network, StableNumbering ports, StableNumbering groups)
    {
        var metadata = ProgramMessages.Masked(Field.Metadata, context.MetadataOf(network), EdgeTables.NetworkMask);
        foreach (var port in context.PortsByNetwork[network.Name])
        {
            yield return ProgramMessages.Flow(
                EdgeTables.Arp,
                ArpAnswered,
                [metadata, ProgramMessages.Exact(Field.EthType, ProgramMessages.EthArp), ProgramMessages.Exact(Field.ArpOp, ArpRequest), ProgramMessages.Address(Field.ArpTpa, port.Ipv4)],
                ProgramMessages.Apply(ProgramMessages.ArpResponder(port.Ipv4, port.Mac)));

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
    private static IEnumerable<FlowEntry> EgressEntries(CompileContext context, string edge, Port port, uint number)
    {
        foreach (var ethType in CompileContext.ServiceFamilies(port))
        {
            var service = context.Number(CompiledFabric.LabelScope(edge), CompiledFabric.ServiceKey(port.Name, ethType));
            yield return ProgramMessages.Flow(
                EdgeTables.Egress,
                Matched,
                [ProgramMessages.Exact(Field.EthType, ProgramMessages.EthMpls), ProgramMessages.Exact(Field.MplsLabel, service), ProgramMessages.Exact(Field.MplsBos, 1)],
                ProgramMessages.Apply(ProgramMessages.PopMpls(ethType), ProgramMessages.Output(number)));
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
