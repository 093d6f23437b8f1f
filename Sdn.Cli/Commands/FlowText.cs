using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using Google.Protobuf;
using Sdn.Contracts;

namespace Sdn.Cli.Commands;

/// <summary>
/// Flow entries, matches and actions written the way `ovs-ofctl dump-flows` writes them:
/// <c>priority=100,in_port=1,dl_dst=02:00:00:00:00:02 actions=write_metadata:0x100000001/0xffffffffffffffff,goto_table:1</c>,
/// or, given the ports' names, as `ovs-ofctl --names dump-flows` does: <c>in_port=vm1</c>, <c>output:e1--c1</c>.
/// </summary>
internal static class FlowText
{
    /// <summary>"priority=P[,match] actions=A".</summary>
    /// <param name="ports">How port numbers are written; numbers only when null.</param>
    public static string Entry(FlowEntry entry, PortNames? ports = null)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var match = Match(entry.Match, ports);
        return $"priority={entry.Priority}{(match.Length > 0 ? "," + match : string.Empty)} actions={Instructions(entry.Instructions, ports)}";
    }

    /// <summary>"table 1 (port-security)", or "table 1" when the edge did not name it.</summary>
    public static string Table(uint tableId, string name) => name.Length > 0 ? $"table {tableId} ({name})" : $"table {tableId}";

    public static string Match(IEnumerable<FieldMatch> match, PortNames? ports = null) => string.Join(",", match.Select(m =>
        m.Field == Field.CtState ? $"ct_state={CtFlags(m.Value, m.Mask)}"
        : m.Mask.IsEmpty ? $"{Name(m.Field)}={Value(m.Field, m.Value, ports)}"
        : $"{Name(m.Field)}={Value(m.Field, m.Value)}/{Value(m.Field, m.Mask)}"));

    /// <summary>"+trk+est-rpl": each flag the mask holds, + when the value has it and - when not, as Open vSwitch writes them.</summary>
    private static string CtFlags(ByteString value, ByteString mask)
    {
        var (set, care) = ((byte)Number(value), mask.IsEmpty ? (byte)0xFF : (byte)Number(mask));
        return string.Concat(CtFlagNames.Where(f => (care & f.Bit) != 0).Select(f => ((set & f.Bit) != 0 ? "+" : "-") + f.Name));
    }

    private static readonly (byte Bit, string Name)[] CtFlagNames =
        [(0x20, "trk"), (0x01, "new"), (0x02, "est"), (0x04, "rel"), (0x08, "rpl"), (0x10, "inv")];

    /// <summary>The instructions as one action list, as OpenFlow 1.3 tools print them; "drop" when there are none.</summary>
    public static string Instructions(IEnumerable<Instruction> instructions, PortNames? ports = null)
    {
        var parts = instructions.SelectMany(i => i.KindCase switch
        {
            Instruction.KindOneofCase.ApplyActions => i.ApplyActions.Actions.Select(a => Action(a, ports)),
            Instruction.KindOneofCase.WriteMetadata => [$"write_metadata:0x{i.WriteMetadata.Value:x}/0x{i.WriteMetadata.Mask:x}"],
            Instruction.KindOneofCase.GotoTable => [$"goto_table:{i.GotoTable}"],
            _ => [],
        }).ToList();
        return parts.Count == 0 ? "drop" : string.Join(",", parts);
    }

    public static string Action(FlowAction action, PortNames? ports = null)
    {
        ArgumentNullException.ThrowIfNull(action);
        ports ??= PortNames.None;
        return action.KindCase switch
        {
            FlowAction.KindOneofCase.Output => $"output:{ports.Write(action.Output)}",
            FlowAction.KindOneofCase.Group => $"group:{action.Group}",
            FlowAction.KindOneofCase.Drop => action.Drop.Reason == DropReason.PortSecurity ? "drop(port_security)" : "drop",
            FlowAction.KindOneofCase.Controller => "controller",
            FlowAction.KindOneofCase.PushMpls => $"push_mpls:0x{action.PushMpls:x4}",
            FlowAction.KindOneofCase.PopMpls => $"pop_mpls:0x{action.PopMpls:x4}",
            FlowAction.KindOneofCase.SetField => $"set_field:{Value(action.SetField.Field, action.SetField.Value)}->{Name(action.SetField.Field)}",
            FlowAction.KindOneofCase.DecIpTtl => "dec_ttl",
            FlowAction.KindOneofCase.DecMplsTtl => "dec_mpls_ttl",
            FlowAction.KindOneofCase.Mirror => $"mirror:{ports.Write(action.Mirror)}",
            FlowAction.KindOneofCase.Ct => $"ct({(action.Ct.Commit ? "commit," : string.Empty)}zone={action.Ct.Zone}{(action.Ct.HasTable ? $",table={action.Ct.Table}" : string.Empty)}{Nat(action.Ct)})",
            FlowAction.KindOneofCase.LearnNeighbour => "learn_neighbour",
            FlowAction.KindOneofCase.ResolveNeighbour => $"resolve_neighbour(port={ports.Write(action.ResolveNeighbour.Port)},"
                + $"next_hop={(action.ResolveNeighbour.NextHop.IsEmpty ? "destination" : Value(Field.Ipv4Dst, action.ResolveNeighbour.NextHop))},sender={Value(Field.Ipv4Src, action.ResolveNeighbour.SenderIp)})",
            FlowAction.KindOneofCase.Loopback => $"loopback:{ports.Write(action.Loopback)}",
            FlowAction.KindOneofCase.ArpResponder => $"arp_responder:{Value(Field.EthSrc, action.ArpResponder.TargetMac)}",
            FlowAction.KindOneofCase.NdResponder => $"nd_responder{(action.NdResponder.Router ? "(router)" : string.Empty)}:"
                + $"{Value(Field.NdTarget, action.NdResponder.TargetIp)}->{Value(Field.EthSrc, action.NdResponder.TargetMac)}",
            FlowAction.KindOneofCase.DhcpResponder => $"dhcp_responder:{Value(Field.Ipv4Src, action.DhcpResponder.ClientIp)}/{action.DhcpResponder.PrefixLength}"
                + $",router={Value(Field.Ipv4Src, action.DhcpResponder.ServerIp)},mtu={action.DhcpResponder.Mtu},lease={action.DhcpResponder.LeaseSeconds}s",
            _ => "unknown",
        };
    }

    /// <summary>",nat", or ",nat(src=198.51.100.2:32768-60999)" as Open vSwitch writes a translation; empty without NAT.</summary>
    private static string Nat(CtAction ct)
    {
        if (ct.Translation is not { } nat)
        {
            return ct.Nat ? ",nat" : string.Empty;
        }

        var ports = nat.FirstPort != 0 ? $":{nat.FirstPort}-{nat.LastPort}" : string.Empty;
        var zone = nat.HasReplyZone ? $",reply_zone={nat.ReplyZone}" : string.Empty;
        return $",nat({(nat.Side == CtNatSide.Destination ? "dst" : "src")}={Value(Field.Ipv4Src, nat.Address)}{ports}{zone})";
    }

    private static string Name(Field field) => field switch
    {
        Field.EthSrc => "dl_src",
        Field.EthDst => "dl_dst",
        Field.EthType => "dl_type",
        Field.VlanVid => "dl_vlan",
        Field.VlanPcp => "dl_vlan_pcp",
        Field.Ipv4Src => "nw_src",
        Field.Ipv4Dst => "nw_dst",
        Field.IpProto => "nw_proto",
        Field.IpTtl => "nw_ttl",
        Field.L4Src => "tp_src",
        Field.L4Dst => "tp_dst",
        _ => SnakeCase(field.ToString()),
    };

    /// <summary>An unmasked in_port as the port's name when <paramref name="ports"/> knows it.</summary>
    private static string Value(Field field, ByteString bytes, PortNames? ports) =>
        field == Field.InPort && ports is not null && bytes.Length <= 4 ? ports.Write((uint)Number(bytes)) : Value(field, bytes);

    private static string Value(Field field, ByteString bytes) => field switch
    {
        Field.EthSrc or Field.EthDst when bytes.Length == 6 => string.Join(":", bytes.Select(b => b.ToString("x2", CultureInfo.InvariantCulture))),
        Field.Ipv4Src or Field.Ipv4Dst or Field.ArpSpa or Field.ArpTpa or Field.Ipv6Src or Field.Ipv6Dst or Field.NdTarget when bytes.Length is 4 or 16 => new IPAddress(bytes.Span).ToString(),
        Field.EthType or Field.Metadata or >= Field.Reg0 and <= Field.Reg7 => $"0x{Number(bytes):x}",
        _ => Number(bytes).ToString(CultureInfo.InvariantCulture),
    };

    private static ulong Number(ByteString bytes)
    {
        Span<byte> padded = stackalloc byte[8];
        bytes.Span[Math.Max(0, bytes.Length - 8)..].CopyTo(padded[Math.Max(0, 8 - bytes.Length)..]);
        return BinaryPrimitives.ReadUInt64BigEndian(padded);
    }

    /// <summary>FIELD_IP_DSCP's C# name IpDscp as ip_dscp.</summary>
    private static string SnakeCase(string name) =>
        string.Concat(name.Select((c, i) => char.IsUpper(c) ? (i > 0 ? "_" : string.Empty) + char.ToLowerInvariant(c) : c.ToString()));
}
