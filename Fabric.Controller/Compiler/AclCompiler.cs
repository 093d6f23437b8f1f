using System.Net;
using Sdn.Contracts;

namespace Sdn.Fabric.Controller.Compiler;

/// <summary>
/// A tenant's ACL rules as entries of the ACL table: each rule matches the tenant's half of the metadata plus
/// its 5-tuple; allow goes on to routing and forwarding, deny drops. A port range becomes several masked entries.
/// </summary>
/// <remarks>
/// A tenant with a stateful rule gets <see cref="Tracking"/> too: its IP packets go through the edge's connection
/// tracker (zone: the tenant's number) and come back to the ACL table tracked. Packets of a connection the tracker
/// holds, and ICMP errors about one, go on before any rule; invalid ones drop. A stateful rule matches only packets
/// that would open a connection (+trk+new), and its allow commits the connection. The egress side commits too (see
/// <see cref="EgressTracking"/>), so that the destination edge knows the connection its replies belong to.
/// </remarks>
public static class AclCompiler
{
    /// <summary>The priority of the tracking entries, above every rule: rules of a stateful tenant stay below it.</summary>
    public const uint TrackingPriority = 65535;

    private const uint Tcp = 6;
    private const uint Udp = 17;

    /// <summary>The ACL table's entries that track a stateful tenant's connections, in front of its rules.</summary>
    public static IEnumerable<FlowEntry> Tracking(uint tenantId)
    {
        var tenant = ProgramMessages.Tenant(tenantId);
        foreach (var ethType in new[] { ProgramMessages.EthIpv4, ProgramMessages.EthIpv6 })
        {
            yield return ProgramMessages.Flow(
                EdgeTables.Acl,
                TrackingPriority,
                [tenant, ProgramMessages.Exact(Field.EthType, ethType), ProgramMessages.CtState(0, ProgramMessages.CtTracked)],
                ProgramMessages.Apply(ProgramMessages.Ct(tenantId, table: EdgeTables.Acl)));
        }

        foreach (var known in new[] { ProgramMessages.CtEstablished, ProgramMessages.CtRelated })
        {
            yield return ProgramMessages.Flow(
                EdgeTables.Acl, TrackingPriority, [tenant, ProgramMessages.CtState((byte)(ProgramMessages.CtTracked | known))], ProgramMessages.Goto(EdgeTables.Route));
        }

        yield return ProgramMessages.Flow(EdgeTables.Acl, TrackingPriority, [tenant, ProgramMessages.CtState(ProgramMessages.CtTracked | ProgramMessages.CtInvalid)]);
    }

    /// <summary>What delivers a packet from the core to a port of a stateful tenant: a commit before the output.</summary>
    public static FlowAction EgressTracking(uint tenantId) => ProgramMessages.Ct(tenantId, commit: true);

    public static IEnumerable<FlowEntry> Compile(AclRule rule, uint tenantId)
    {
        var tenant = ProgramMessages.Tenant(tenantId);
        var source = Cidr(rule.SrcCidr);
        var destination = Cidr(rule.DstCidr);
        var v6 = (source ?? destination)?.BaseAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;
        var ip = new List<FieldMatch>();
        if (source is not null || destination is not null || rule.Protocol != 0)
        {
            ip.Add(ProgramMessages.Exact(Field.EthType, v6 ? ProgramMessages.EthIpv6 : ProgramMessages.EthIpv4));
        }

        if (source is { } s)
        {
            ip.Add(ProgramMessages.Prefix(s, source: true));
        }

        if (destination is { } d)
        {
            ip.Add(ProgramMessages.Prefix(d, source: false));
        }

        if (rule.Protocol != 0)
        {
            ip.Add(ProgramMessages.Exact(Field.IpProto, rule.Protocol));
        }

        if (rule.Stateful)
        {
            ip.Add(ProgramMessages.CtState(ProgramMessages.CtTracked | ProgramMessages.CtNew));
        }

        Instruction[] instructions = rule.Action != AclAction.Allow ? []
            : rule.Stateful ? [ProgramMessages.Apply(ProgramMessages.Ct(tenantId, commit: true)), ProgramMessages.Goto(EdgeTables.Route)]
            : [ProgramMessages.Goto(EdgeTables.Route)];
        var hasPorts = rule.Protocol is Tcp or Udp;
        foreach (var src in hasPorts ? Ports(Field.L4Src, rule.SrcPorts) : [null])
        {
            foreach (var dst in hasPorts ? Ports(Field.L4Dst, rule.DstPorts) : [null])
            {
                var match = new List<FieldMatch>(ip) { tenant };
                match.AddRange(new[] { src, dst }.OfType<FieldMatch>());
                yield return ProgramMessages.Flow(EdgeTables.Acl, rule.Priority, match, instructions);
            }
        }
    }

    private static IPNetwork? Cidr(string text) => string.IsNullOrEmpty(text) ? null : IPNetwork.Parse(text);

    /// <summary>The masked matches of a range; a single null (no match on the field) for an unset range.</summary>
    private static IEnumerable<FieldMatch?> Ports(Field field, PortRange? range) =>
        range is null || (range.First == 0 && range.Last == 0)
            ? [null]
            : PortRangeCover.Of(range.First, Math.Max(range.First, range.Last)).Select(c => (FieldMatch?)ProgramMessages.Masked(field, c.Value, c.Mask));
}
