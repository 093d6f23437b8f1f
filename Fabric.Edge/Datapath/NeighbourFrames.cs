using System.Buffers.Binary;
using Sdn.Common.Packets;

namespace Sdn.Fabric.Edge.Datapath;

/// <summary>
/// IPv6 neighbour discovery (RFC 4861) as the datapath reads and writes it beyond a port: the checks §7.1 makes
/// before a node may act on a solicitation or an advertisement, the link-layer address a valid one teaches, and the
/// solicitation the edge sends for a next hop it has not learned (as <see cref="FrameActions.TryWriteArpRequest"/>
/// does for IPv4). Nothing allocates or throws.
/// </summary>
/// <remarks>
/// <code>
/// Neighbor Solicitation (135) / Advertisement (136), after the IPv6 header (hop limit 255):
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |     Type      |     Code      |          Checksum             |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |R|S|O|                     Reserved                            |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                       Target Address (16)                     |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |  Options: type (1 source, 2 target link-layer), length in 8s, ...
/// </code>
/// </remarks>
public static class NeighbourFrames
{
    private const int OptionUnit = 8;

    /// <summary>
    /// Reads the neighbour solicitation or advertisement at <paramref name="offsets"/>, checked as RFC 4861 §7.1.1 and
    /// §7.1.2 say a receiver must before acting on it: hop limit 255, a valid ICMPv6 checksum, code 0, at least 24
    /// bytes, a target that is not multicast, options none of length zero; a solicitation from the unspecified address
    /// sent to a solicited-node multicast address and without a source link-layer option; an advertisement to a
    /// multicast address without the solicited flag. <see cref="NeighbourReadResult.NotNeighbourDiscovery"/> for anything that is
    /// not a solicitation or advertisement (ARP, other IPv6), <see cref="NeighbourReadResult.Invalid"/> for one that fails them.
    /// </summary>
    public static NeighbourReadResult TryRead(ReadOnlySpan<byte> frame, in HeaderOffsets offsets, out NeighbourDiscoveryMessage message)
    {
        message = default;
        var (ip, icmp) = (offsets.Network, offsets.Transport);
        if (ip == HeaderOffsets.Absent || offsets.Mpls != HeaderOffsets.Absent || offsets.EtherType == HeaderOffsets.Absent
            || BinaryPrimitives.ReadUInt16BigEndian(frame[offsets.EtherType..]) != EtherTypes.Ipv6 || frame.Length < ip + Ipv6Header.Size
            || frame[ip + Ipv6Header.NextHeaderOffset] != IpProtocols.Icmpv6 || icmp != ip + Ipv6Header.Size || frame.Length <= icmp
            || !NeighborMessage.HasTarget(frame[icmp]))
        {
            return NeighbourReadResult.NotNeighbourDiscovery;
        }

        var end = ip + Ipv6Header.Size + BinaryPrimitives.ReadUInt16BigEndian(frame[(ip + Ipv6Header.PayloadLengthOffset)..]);
        if (end > frame.Length || NeighborMessage.Parse(frame[icmp..end], out var parsed) != ParseStatus.Ok)
        {
            return NeighbourReadResult.Invalid;
        }

        var body = frame[icmp..end];
        var source = BinaryPrimitives.ReadUInt128BigEndian(frame[(ip + Ipv6Header.SourceOffset)..]);
        var destination = BinaryPrimitives.ReadUInt128BigEndian(frame[(ip + Ipv6Header.DestinationOffset)..]);
        if (frame[ip + Ipv6Header.HopLimitOffset] != NeighborMessage.HopLimit || parsed.Code != 0 || IsMulticast(parsed.Target)
            || !InternetChecksum.Verify(body, InternetChecksum.PseudoHeaderSum(source, destination, IpProtocols.Icmpv6, body.Length))
            || !TryReadLinkLayerOption(body, parsed.Type, out var linkLayer, out var sourceOptionPresent))
        {
            return NeighbourReadResult.Invalid;
        }

        var flags = BinaryPrimitives.ReadUInt32BigEndian(body[4..]);
        var invalid = parsed.Type == NeighborMessage.Solicitation
            ? source == UInt128.Zero && (!IsSolicitedNode(destination) || sourceOptionPresent)
            : IsMulticast(destination) && (flags & NeighborMessage.SolicitedFlag) != 0;
        if (invalid)
        {
            return NeighbourReadResult.Invalid;
        }

        message = new NeighbourDiscoveryMessage(parsed.Type, source, parsed.Target, linkLayer);
        return NeighbourReadResult.Valid;
    }

    /// <summary>The IPv6 destination of the packet at <paramref name="offsets"/>; false when it is not IPv6.</summary>
    public static bool TryReadIpv6Destination(ReadOnlySpan<byte> frame, in HeaderOffsets offsets, out UInt128 destination)
    {
        destination = 0;
        if (offsets.Network == HeaderOffsets.Absent || offsets.EtherType == HeaderOffsets.Absent || frame.Length < offsets.Network + Ipv6Header.Size
            || BinaryPrimitives.ReadUInt16BigEndian(frame[offsets.EtherType..]) != EtherTypes.Ipv6)
        {
            return false;
        }

        destination = BinaryPrimitives.ReadUInt128BigEndian(frame[(offsets.Network + Ipv6Header.DestinationOffset)..]);
        return true;
    }

    /// <summary>
    /// Turns frame <paramref name="index"/> into a neighbour solicitation for <paramref name="target"/> (RFC 4861
    /// §7.2.2): from its own source MAC and <paramref name="sender"/>, to the target's solicited-node multicast address
    /// (ff02::1:ffXX:XXXX, on MAC 33:33:ff:XX:XX:XX), with a source link-layer address option; untagged and without
    /// offload. False, leaving it alone, when its slot is too small.
    /// </summary>
    public static bool TryWriteSolicitation(PacketBurst burst, int index, ref HeaderOffsets offsets, UInt128 sender, UInt128 target)
    {
        var source = EthernetHeader.ReadMac(burst.Frame(index)[6..]);
        const int Length = EthernetHeader.Size + Ipv6Header.Size + NeighborMessage.SizeWithLinkLayerOption;
        if (!burst.TrySetLength(index, Length))
        {
            return false;
        }

        var frame = burst.Frame(index);
        var solicitedNode = ((UInt128)0xFF02_0000_0000_0000UL << 64) | 0x0000_0001_FF00_0000UL | (target & 0xFF_FFFF);
        EthernetHeader.TryWrite(frame, 0x33_33_FF_00_00_00UL | (ulong)(target & 0xFF_FFFF), source, EtherTypes.Ipv6);
        var ip = frame[EthernetHeader.Size..];
        Ipv6Header.TryWrite(ip, sender, solicitedNode, IpProtocols.Icmpv6, NeighborMessage.SizeWithLinkLayerOption, NeighborMessage.HopLimit);
        var solicitation = ip[Ipv6Header.Size..];
        NeighborMessage.TryWrite(solicitation, NeighborMessage.Solicitation, 0, target, NeighborMessage.SourceLinkLayerAddressOption, source);
        InternetChecksum.Store(solicitation, IcmpHeader.ChecksumOffset, InternetChecksum.PseudoHeaderSum(sender, solicitedNode, IpProtocols.Icmpv6, solicitation.Length));
        burst.SetOffload(index, FrameOffload.None);
        offsets = HeaderOffsets.None;
        offsets.EtherType = EthernetHeader.EtherTypeOffset;
        offsets.Network = EthernetHeader.Size;
        offsets.Transport = EthernetHeader.Size + Ipv6Header.Size;
        return true;
    }

    private static bool IsMulticast(UInt128 address) => (byte)(address >> 120) == 0xFF;

    private static bool IsSolicitedNode(UInt128 address) => (address & ~(UInt128)0xFF_FFFF) == (((UInt128)0xFF02_0000_0000_0000UL << 64) | 0x0000_0001_FF00_0000UL);

    /// <summary>
    /// Walks the options: false when one has length zero or runs past the message. Gives the MAC of the link-layer option
    /// the message's type carries (source for a solicitation, target for an advertisement), and whether a source
    /// link-layer option is present at all.
    /// </summary>
    private static bool TryReadLinkLayerOption(ReadOnlySpan<byte> body, byte type, out ulong mac, out bool sourceOptionPresent)
    {
        (mac, sourceOptionPresent) = (0, false);
        var wanted = type == NeighborMessage.Solicitation ? NeighborMessage.SourceLinkLayerAddressOption : NeighborMessage.TargetLinkLayerAddressOption;
        for (var at = NeighborMessage.MinimumSize; at < body.Length;)
        {
            if (at + 2 > body.Length || body[at + 1] == 0 || at + (body[at + 1] * OptionUnit) > body.Length)
            {
                return false;
            }

            var length = body[at + 1] * OptionUnit;
            sourceOptionPresent |= body[at] == NeighborMessage.SourceLinkLayerAddressOption;
            if (body[at] == wanted && length >= OptionUnit)
            {
                mac = EthernetHeader.ReadMac(body[(at + 2)..]);
            }

            at += length;
        }

        return true;
    }
}
