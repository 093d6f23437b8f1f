using System.Net;
using Sdn.Contracts;

namespace Sdn.Fabric.Controller.Compiler;

/// <summary>
/// A tenant's ACL rules as entries of the ACL table: each rule matches the tenant's half of the metadata plus
/// its 5-tuple; allow goes on to routing and forwarding, deny drops. A port range becomes several masked entries.
/// </summary>
public static class AclCompiler
{
    private const uint Tcp = 6;
    private const uint Udp = 17;

    public static IEnumerable<FlowEntry> Compile(AclRule rule, uint tenantId)
    {
        var tenant = ProgramMessages.Masked(Field.Metadata, (ulong)tenantId << 32, EdgeTables.TenantMask);
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

        var instructions = rule.Action == AclAction.Allow ? new[] { ProgramMessages.Goto(EdgeTables.Route) } : [];
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
