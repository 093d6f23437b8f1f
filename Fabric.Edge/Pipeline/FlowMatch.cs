using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using Sdn.Common.Packets;
using Sdn.Fabric.Edge.Conntrack;

namespace Sdn.Fabric.Edge.Pipeline;

/// <summary>
/// A masked match over the flow key: a packet matches when (key AND <see cref="Mask"/>) equals <see cref="Value"/>.
/// </summary>
/// <remarks>
/// Built fluently (<c>FlowMatch.Any.InPort(1).EthType(0x0800).Ipv4Dst(addr, 24)</c>); each call returns a new
/// match, so one base match can be shared. The value is always kept masked, so two matches that admit the
/// same packets compare equal.
/// </remarks>
public readonly struct FlowMatch : IEquatable<FlowMatch>
{
    private readonly FlowKey _value;
    private readonly FlowKey _mask;

    private FlowMatch(in FlowKey value, in FlowKey mask)
    {
        _mask = mask;
        _value = value.And(mask);
    }

    /// <summary>The match that admits every packet (the table-miss match).</summary>
    public static FlowMatch Any => default;

    public FlowKey Value => _value;

    /// <summary><see cref="Value"/> without the copy, for the classifier, which compares it in place.</summary>
    [UnscopedRef]
    internal ref readonly FlowKey ValueInPlace => ref _value;

    public FlowKey Mask => _mask;

    public bool IsAny => _mask == default;

    /// <summary>Matches <paramref name="field"/> against <paramref name="value"/> under <paramref name="mask"/> (the whole field when omitted).</summary>
    public FlowMatch With(FlowField field, ulong value, ulong mask = ulong.MaxValue)
    {
        var v = _value;
        var m = _mask;
        var fieldMask = mask & field.FieldMask;
        field.Write(m.Words, field.Read(m.ReadOnlyWords) | fieldMask);
        field.Write(v.Words, (field.Read(v.ReadOnlyWords) & ~fieldMask) | (value & fieldMask));
        return new FlowMatch(v, m);
    }

    public FlowMatch InPort(uint port) => With(FlowField.InPort, port);

    public FlowMatch Metadata(ulong value, ulong mask = ulong.MaxValue) => With(FlowField.Metadata, value, mask);

    public FlowMatch Register(int index, uint value, uint mask = uint.MaxValue) => With(FlowField.Register(index), value, mask);

    public FlowMatch EthSrc(ulong mac, ulong mask = ulong.MaxValue) => With(FlowField.EthSrc, mac, mask);

    public FlowMatch EthDst(ulong mac, ulong mask = ulong.MaxValue) => With(FlowField.EthDst, mac, mask);

    public FlowMatch EthType(ushort ethType) => With(FlowField.EthType, ethType);

    /// <summary>Frames tagged with VLAN <paramref name="vid"/> (the tag-present bit is matched too).</summary>
    public FlowMatch Vlan(ushort vid) => With(FlowField.VlanTci, FlowKey.VlanTagPresent | (ulong)(vid & 0xFFF), FlowKey.VlanTagPresent | 0xFFF);

    /// <summary>Frames without an 802.1Q tag.</summary>
    public FlowMatch NoVlan() => With(FlowField.VlanTci, 0, FlowKey.VlanTagPresent);

    public FlowMatch VlanTci(ushort tci, ushort mask = ushort.MaxValue) => With(FlowField.VlanTci, tci, mask);

    public FlowMatch MplsLabel(uint label) => With(FlowField.MplsLabel, label);

    public FlowMatch MplsTc(byte tc) => With(FlowField.MplsTc, tc);

    public FlowMatch MplsBos(bool bottomOfStack) => With(FlowField.MplsBos, bottomOfStack ? 1UL : 0UL);

    public FlowMatch Ipv4Src(uint address, int prefixLength = 32) => With(FlowField.Ipv4Src, address, PrefixMask(prefixLength, 32));

    public FlowMatch Ipv4Dst(uint address, int prefixLength = 32) => With(FlowField.Ipv4Dst, address, PrefixMask(prefixLength, 32));

    public FlowMatch Ipv6Src(UInt128 address, int prefixLength = 128) => Ipv6(FlowField.Ipv6SrcHigh, FlowField.Ipv6SrcLow, address, prefixLength);

    public FlowMatch Ipv6Dst(UInt128 address, int prefixLength = 128) => Ipv6(FlowField.Ipv6DstHigh, FlowField.Ipv6DstLow, address, prefixLength);

    public FlowMatch IpProto(byte proto) => With(FlowField.IpProto, proto);

    public FlowMatch IpDscp(byte dscp) => With(FlowField.IpDscp, dscp);

    public FlowMatch IpTtl(byte ttl) => With(FlowField.IpTtl, ttl);

    public FlowMatch L4Src(ushort port) => With(FlowField.L4Src, port);

    public FlowMatch L4Dst(ushort port) => With(FlowField.L4Dst, port);

    public FlowMatch ArpOp(ushort op) => With(FlowField.ArpOp, op);

    public FlowMatch ArpSpa(uint address, int prefixLength = 32) => Ipv4Src(address, prefixLength);

    public FlowMatch ArpTpa(uint address, int prefixLength = 32) => Ipv4Dst(address, prefixLength);

    public FlowMatch IcmpType(byte type) => With(FlowField.IcmpType, type);

    public FlowMatch IcmpCode(byte code) => With(FlowField.IcmpCode, code);

    public FlowMatch NdTarget(UInt128 address, int prefixLength = 128) => Ipv6(FlowField.NdTargetHigh, FlowField.NdTargetLow, address, prefixLength);

    /// <summary>Packets whose ct_state has every bit of <paramref name="set"/> and none of <paramref name="clear"/> (OpenFlow's +flag and -flag).</summary>
    public FlowMatch CtState(CtState set, CtState clear = default) => With(FlowField.CtState, (ulong)set, (ulong)(set | clear));

    /// <summary>True when <paramref name="key"/> matches.</summary>
    public bool Matches(in FlowKey key) => key.MatchesMasked(_mask, _value);

    /// <summary>True when some packet could match both this match and <paramref name="other"/>.</summary>
    public bool Overlaps(in FlowMatch other)
    {
        var common = _mask.And(other._mask);
        return _value.And(common) == other._value.And(common);
    }

    /// <summary>
    /// True when every packet this match admits is admitted by <paramref name="general"/>: the non-strict
    /// flow-mod test, "this entry is at least as specific as the request".
    /// </summary>
    public bool IsCoveredBy(in FlowMatch general) =>
        _mask.And(general._mask) == general._mask && _value.And(general._mask) == general._value;

    public bool Equals(FlowMatch other) => _mask == other._mask && _value == other._value;

    public override bool Equals(object? obj) => obj is FlowMatch other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(_mask.GetHashCode(), _value.GetHashCode());

    public static bool operator ==(FlowMatch left, FlowMatch right) => left.Equals(right);

    public static bool operator !=(FlowMatch left, FlowMatch right) => !left.Equals(right);

    /// <summary>
    /// The fields this match constrains, as <c>name=value/mask</c> in hexadecimal; "any" when none. The word the IPv4
    /// addresses share with the ND target's high half is written as the one the match's Ethernet type implies.
    /// </summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        var isIpv6 = FlowField.EthType.Read(_mask.ReadOnlyWords) == FlowField.EthType.FieldMask && FlowField.EthType.Read(_value.ReadOnlyWords) == EtherTypes.Ipv6;
        foreach (var field in FlowField.All)
        {
            var mask = field.Read(_mask.ReadOnlyWords);
            if (mask == 0 || (isIpv6 ? field == FlowField.Ipv4Src || field == FlowField.Ipv4Dst : field == FlowField.NdTargetHigh))
            {
                continue;
            }

            if (text.Length > 0)
            {
                text.Append(',');
            }

            var value = field.Read(_value.ReadOnlyWords);
            text.Append(CultureInfo.InvariantCulture, $"{field.Name}=0x{value:x}");
            if (mask != field.FieldMask)
            {
                text.Append(CultureInfo.InvariantCulture, $"/0x{mask:x}");
            }
        }

        return text.Length == 0 ? "any" : text.ToString();
    }

    private FlowMatch Ipv6(FlowField high, FlowField low, UInt128 address, int prefixLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(prefixLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(prefixLength, 128);
        var mask = prefixLength == 0 ? UInt128.Zero : UInt128.MaxValue << (128 - prefixLength);
        return With(high, (ulong)(address >> 64), (ulong)(mask >> 64)).With(low, (ulong)address, (ulong)mask);
    }

    private static ulong PrefixMask(int prefixLength, int width)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(prefixLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(prefixLength, width);
        return prefixLength == 0 ? 0 : (ulong.MaxValue << (64 - prefixLength)) >> (64 - width);
    }
}
