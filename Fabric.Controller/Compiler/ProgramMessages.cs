using System.Buffers.Binary;
using System.Net;
using Google.Protobuf;
using Sdn.Contracts;

namespace Sdn.Fabric.Controller.Compiler;

/// <summary>Builders for the dataplane messages the compiler emits, with values encoded at each field's natural width.</summary>
public static class ProgramMessages
{
    public const ushort EthIpv4 = 0x0800;
    public const ushort EthArp = 0x0806;
    public const ushort EthIpv6 = 0x86DD;
    public const ushort EthMpls = 0x8847;

    // The ct_state bits, as Open vSwitch numbers them and FIELD_CT_STATE carries them.
    public const byte CtNew = 0x01;
    public const byte CtEstablished = 0x02;
    public const byte CtRelated = 0x04;
    public const byte CtReply = 0x08;
    public const byte CtInvalid = 0x10;
    public const byte CtTracked = 0x20;

    public static FieldMatch Exact(Field field, ulong value) => new() { Field = field, Value = Encode(field, value) };

    /// <summary>The packets of tenant <paramref name="tenantId"/>: its number in the metadata's upper half.</summary>
    public static FieldMatch Tenant(uint tenantId) => Masked(Field.Metadata, (ulong)tenantId << 32, EdgeTables.TenantMask);

    public static FieldMatch Masked(Field field, ulong value, ulong mask) =>
        new() { Field = field, Value = Encode(field, value & mask), Mask = Encode(field, mask) };

    /// <summary>An IPv4 or IPv6 prefix on the source or destination field of its family.</summary>
    public static FieldMatch Prefix(IPNetwork network, bool source)
    {
        var v4 = network.BaseAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork;
        var field = v4 ? (source ? Field.Ipv4Src : Field.Ipv4Dst) : (source ? Field.Ipv6Src : Field.Ipv6Dst);
        var bits = v4 ? 32 : 128;
        var mask = new byte[bits / 8];
        for (var i = 0; i < network.PrefixLength; i++)
        {
            mask[i / 8] |= (byte)(0x80 >> (i % 8));
        }

        var value = network.BaseAddress.GetAddressBytes();
        return new FieldMatch { Field = field, Value = ByteString.CopyFrom(value), Mask = network.PrefixLength == bits ? ByteString.Empty : ByteString.CopyFrom(mask) };
    }

    public static FieldMatch Address(Field field, string address) =>
        new() { Field = field, Value = ByteString.CopyFrom(IPAddress.Parse(address).GetAddressBytes()) };

    public static FieldMatch Mac(Field field, string mac) => new() { Field = field, Value = MacBytes(mac) };

    public static ByteString MacBytes(string mac) => ByteString.CopyFrom(Convert.FromHexString(mac.Replace(":", string.Empty, StringComparison.Ordinal)));

    /// <summary>Packets whose ct_state has every bit of <paramref name="set"/> and none of <paramref name="clear"/>: Open vSwitch's ct_state=+a-b.</summary>
    public static FieldMatch CtState(byte set, byte clear = 0) => Masked(Field.CtState, set, (ulong)(set | clear));

    /// <summary>
    /// A ct action: a lookup in <paramref name="zone"/>, committing a new connection when asked (translated as
    /// <paramref name="translation"/> says), rewriting the packet as its connection's translation says with
    /// <paramref name="nat"/>, going on in <paramref name="table"/> when given.
    /// </summary>
    public static FlowAction Ct(uint zone, bool commit = false, uint? table = null, bool nat = false, CtNat? translation = null)
    {
        var ct = new CtAction { Zone = zone, Commit = commit, Nat = nat || translation is not null, Translation = translation };
        if (table is { } t)
        {
            ct.Table = t;
        }

        return new FlowAction { Ct = ct };
    }

    /// <summary>nat(src=<paramref name="address"/>): any free port, the connection's own while no other holds it; the reply way in <paramref name="replyZone"/> when given.</summary>
    public static CtNat SourceNat(string address, uint? replyZone = null)
    {
        var nat = new CtNat { Side = CtNatSide.Source, Address = ByteString.CopyFrom(IPAddress.Parse(address).GetAddressBytes()) };
        if (replyZone is { } zone)
        {
            nat.ReplyZone = zone;
        }

        return nat;
    }

    public static CtNat DestinationNat(string address) =>
        new() { Side = CtNatSide.Destination, Address = ByteString.CopyFrom(IPAddress.Parse(address).GetAddressBytes()) };

    public static FlowAction LearnNeighbour() => new() { LearnNeighbour = new EmptyAction() };

    /// <summary>The MAC learned for <paramref name="nextHop"/> beyond <paramref name="port"/> (null: the packet's destination), or an ARP request from <paramref name="sender"/>.</summary>
    /// <summary>The frame arrives again on <paramref name="port"/>, from table 0, as if it came from there.</summary>
    public static FlowAction Loopback(uint port) => new() { Loopback = port };

    public static FlowAction ResolveNeighbour(uint port, string? nextHop, string sender) => new()
    {
        ResolveNeighbour = new ResolveNeighbourAction
        {
            Port = port,
            NextHop = nextHop is null ? ByteString.Empty : ByteString.CopyFrom(IPAddress.Parse(nextHop).GetAddressBytes()),
            SenderIp = ByteString.CopyFrom(IPAddress.Parse(sender).GetAddressBytes()),
        },
    };

    public static FlowAction Output(uint port) => new() { Output = port };

    public static FlowAction Group(uint group) => new() { Group = group };

    public static FlowAction PushMpls() => new() { PushMpls = EthMpls };

    public static FlowAction PopMpls(ushort ethType) => new() { PopMpls = ethType };

    public static FlowAction SetMplsLabel(uint label) => new() { SetField = new FieldValue { Field = Field.MplsLabel, Value = Encode(Field.MplsLabel, label) } };

    public static FlowAction SetMac(Field field, string mac) => new() { SetField = new FieldValue { Field = field, Value = MacBytes(mac) } };

    public static FlowAction DecrementTtl() => new() { DecIpTtl = new EmptyAction() };

    public static FlowAction Drop(DropReason reason) => new() { Drop = new DropAction { Reason = reason } };

    public static FlowAction ArpResponder(string ipv4, string mac) => new()
    {
        ArpResponder = new ArpResponderAction { TargetIp = ByteString.CopyFrom(IPAddress.Parse(ipv4).GetAddressBytes()), TargetMac = MacBytes(mac) },
    };

    /// <param name="router">The answer is the router's, for a gateway address.</param>
    public static FlowAction NdResponder(string ipv6, string mac, bool router) => new()
    {
        NdResponder = new NdResponderAction { TargetIp = ByteString.CopyFrom(IPAddress.Parse(ipv6).GetAddressBytes()), TargetMac = MacBytes(mac), Router = router },
    };

    /// <summary>Leases <paramref name="port"/>'s IPv4 address on <paramref name="network"/>, whose gateway (with <paramref name="serverMac"/>) serves it.</summary>
    public static FlowAction DhcpResponder(Network network, Port port, string serverMac, uint leaseSeconds) => new()
    {
        DhcpResponder = new DhcpResponderAction
        {
            ClientIp = ByteString.CopyFrom(IPAddress.Parse(port.Ipv4).GetAddressBytes()),
            PrefixLength = (uint)IPNetwork.Parse(network.Ipv4Subnet).PrefixLength,
            ServerIp = ByteString.CopyFrom(IPAddress.Parse(network.Ipv4Gateway).GetAddressBytes()),
            ServerMac = MacBytes(serverMac),
            Mtu = network.Mtu,
            LeaseSeconds = leaseSeconds,
            DnsServer = network.Ipv4DnsServer.Length == 0 ? ByteString.Empty : ByteString.CopyFrom(IPAddress.Parse(network.Ipv4DnsServer).GetAddressBytes()),
        },
    };

    public static Instruction Apply(params FlowAction[] actions)
    {
        var apply = new ApplyActions();
        apply.Actions.AddRange(actions);
        return new Instruction { ApplyActions = apply };
    }

    public static Instruction Goto(uint table) => new() { GotoTable = table };

    public static Instruction WriteMetadata(ulong value, ulong mask) => new() { WriteMetadata = new WriteMetadata { Value = value, Mask = mask } };

    /// <summary>An entry with its match in field order, the form <see cref="Core.Southbound.FlowIdentity"/> names.</summary>
    public static FlowEntry Flow(uint table, uint priority, IEnumerable<FieldMatch> match, params Instruction[] instructions)
    {
        var entry = new FlowEntry { TableId = table, Priority = priority };
        entry.Match.AddRange(match.OrderBy(m => m.Field));
        entry.Instructions.AddRange(instructions);
        return entry;
    }

    private static ByteString Encode(Field field, ulong value)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, value);
        var width = Width(field);
        return ByteString.CopyFrom(bytes[(8 - width)..]);
    }

    private static int Width(Field field) => field switch
    {
        Field.Metadata => 8,
        Field.EthSrc or Field.EthDst => 6,
        Field.InPort or Field.MplsLabel or Field.Ipv4Src or Field.Ipv4Dst or Field.ArpSpa or Field.ArpTpa => 4,
        >= Field.Reg0 and <= Field.Reg7 => 4,
        Field.EthType or Field.VlanVid or Field.L4Src or Field.L4Dst or Field.ArpOp => 2,
        _ => 1,
    };
}
