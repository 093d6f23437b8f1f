using System.Globalization;

namespace Sdn.Fabric.Edge.Pipeline;

/// <summary>
/// One match field of the pipeline: where its bits sit in the <see cref="Common.Packets.FlowKey"/> words.
/// </summary>
/// <remarks>
/// The catalogue mirrors the word layout documented on FlowKey, so that matches, set_field and trace
/// output all name fields the same way. IPv6 addresses (the ND target's too) span two words and are matched
/// through <see cref="FlowMatch"/>'s prefix methods, which use the high and low halves listed here.
/// </remarks>
public readonly record struct FlowField(string Name, int Word, int Shift, int Bits)
{
    public static readonly FlowField InPort = new("in_port", 0, 0, 32);
    public static readonly FlowField EthType = new("eth_type", 0, 32, 16);
    public static readonly FlowField VlanTci = new("vlan_tci", 0, 48, 16);
    public static readonly FlowField Metadata = new("metadata", 1, 0, 64);
    public static readonly FlowField EthDst = new("eth_dst", 6, 0, 48);
    public static readonly FlowField IpProto = new("ip_proto", 6, 48, 8);
    public static readonly FlowField IpDscp = new("ip_dscp", 6, 56, 6);
    public static readonly FlowField EthSrc = new("eth_src", 7, 0, 48);
    public static readonly FlowField IpTtl = new("ip_ttl", 7, 48, 8);
    public static readonly FlowField Ipv4Src = new("ipv4_src", 8, 0, 32);
    public static readonly FlowField Ipv4Dst = new("ipv4_dst", 8, 32, 32);
    public static readonly FlowField Ipv6SrcHigh = new("ipv6_src_hi", 9, 0, 64);
    public static readonly FlowField Ipv6SrcLow = new("ipv6_src_lo", 10, 0, 64);
    public static readonly FlowField Ipv6DstHigh = new("ipv6_dst_hi", 11, 0, 64);
    public static readonly FlowField Ipv6DstLow = new("ipv6_dst_lo", 12, 0, 64);
    public static readonly FlowField L4Src = new("l4_src", 13, 0, 16);
    public static readonly FlowField L4Dst = new("l4_dst", 13, 16, 16);
    public static readonly FlowField MplsTtl = new("mpls_ttl", 13, 32, 8);
    public static readonly FlowField MplsBos = new("mpls_bos", 13, 40, 1);
    public static readonly FlowField MplsTc = new("mpls_tc", 13, 41, 3);
    public static readonly FlowField MplsLabel = new("mpls_label", 13, 44, 20);
    public static readonly FlowField ArpOp = new("arp_op", 14, 0, 16);
    public static readonly FlowField IcmpType = new("icmp_type", 14, 16, 8);
    public static readonly FlowField IcmpCode = new("icmp_code", 14, 24, 8);
    public static readonly FlowField OuterVlanTci = new("outer_vlan_tci", 14, 32, 16);
    public static readonly FlowField MplsDepth = new("mpls_depth", 14, 48, 8);
    public static readonly FlowField CtState = new("ct_state", 14, 56, 8);

    // The ND target's high half is the word of the IPv4 addresses, which an IPv6 packet leaves zero.
    public static readonly FlowField NdTargetHigh = new("nd_target_hi", 8, 0, 64);
    public static readonly FlowField NdTargetLow = new("nd_target_lo", 15, 0, 64);

    /// <summary>Every field, in the order trace output prints them; registers are listed by <see cref="Register"/>.</summary>
    public static IReadOnlyList<FlowField> All { get; } = BuildCatalogue();

    /// <summary>The mask of a whole field, aligned to bit 0.</summary>
    public ulong FieldMask => Bits == 64 ? ulong.MaxValue : (1UL << Bits) - 1;

    /// <summary>The field's bits in place within its word.</summary>
    public ulong WordMask => FieldMask << Shift;

    /// <summary>Register <paramref name="index"/> (0–7); two registers share a word, the even one low.</summary>
    public static FlowField Register(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(index, 7);
        return new FlowField(string.Create(CultureInfo.InvariantCulture, $"reg{index}"), 2 + (index >> 1), (index & 1) * 32, 32);
    }

    public ulong Read(ReadOnlySpan<ulong> words) => (words[Word] >> Shift) & FieldMask;

    public void Write(Span<ulong> words, ulong value) => words[Word] = (words[Word] & ~WordMask) | ((value << Shift) & WordMask);

    private static FlowField[] BuildCatalogue()
    {
        var fields = new List<FlowField> { InPort, Metadata };
        for (var i = 0; i < 8; i++)
        {
            fields.Add(Register(i));
        }

        fields.AddRange(
        [
            EthSrc, EthDst, EthType, VlanTci, OuterVlanTci, MplsLabel, MplsTc, MplsBos, MplsTtl, MplsDepth,
            Ipv4Src, Ipv4Dst, Ipv6SrcHigh, Ipv6SrcLow, Ipv6DstHigh, Ipv6DstLow, IpProto, IpDscp, IpTtl,
            L4Src, L4Dst, ArpOp, IcmpType, IcmpCode, NdTargetHigh, NdTargetLow, CtState,
        ]);
        return [.. fields];
    }
}
