using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using Sdn.Common.Packets;

namespace Sdn.Fabric.Edge.Nat;

/// <summary>
/// The frame rewrite behind NAT: one end's IPv4 address, and its TCP or UDP port or its ICMP echo identifier, changed
/// in place, with every checksum that covers them brought up to date incrementally (RFC 1624), never recomputed over
/// the payload.
/// </summary>
/// <remarks>
/// <para>
/// <b>Checksums.</b> The IPv4 header checksum covers the address. TCP's and UDP's cover the address through the
/// pseudo-header, and the port directly. ICMP's covers the identifier only: ICMPv4 has no pseudo-header. A UDP
/// checksum of zero means "none" (RFC 768) and stays zero; an updated one that comes to zero is sent as 0xFFFF.
/// </para>
/// <para>
/// <b>Checksum offload.</b> A frame from a host's TAP may carry its TCP or UDP checksum unfinished (see
/// <see cref="FrameOffload"/>): the field holds the pseudo-header's sum, not yet complemented, and the port is not
/// in it. Such a field takes the address change as a sum, and the port change not at all; whoever finishes the
/// checksum adds the port then.
/// </para>
/// <para>
/// <b>ICMP echo.</b> The identifier plays the port: NAT maps it as it maps a source port, so that two hosts behind one
/// address pinging the same server get their replies apart.
/// </para>
/// Nothing allocates or throws; bounds are checked before every write.
/// </remarks>
public static class Ipv4NatRewrite
{
    private const byte EchoRequest = 8;
    private const byte EchoReply = 0;

    /// <summary>
    /// Sets <paramref name="side"/>'s address to <paramref name="address"/> and its port (an echo's identifier) to
    /// <paramref name="port"/> in the IPv4 packet at <paramref name="offsets"/>. <paramref name="partialChecksum"/> says
    /// the transport checksum is left unfinished for offload.
    /// </summary>
    public static NatRewriteResult Apply(Span<byte> frame, in HeaderOffsets offsets, NatSide side, uint address, ushort port, bool partialChecksum = false)
    {
        var ip = offsets.Network;
        var transport = offsets.Transport;
        if (ip == HeaderOffsets.Absent || offsets.EtherType == HeaderOffsets.Absent || frame.Length < offsets.EtherType + 2
            || BinaryPrimitives.ReadUInt16BigEndian(frame[offsets.EtherType..]) != EtherTypes.Ipv4 || frame.Length < ip + Ipv4Header.MinimumSize)
        {
            return NatRewriteResult.Malformed;
        }

        if ((BinaryPrimitives.ReadUInt16BigEndian(frame[(ip + Ipv4Header.FlagsOffset)..]) & 0x1FFF) != 0)
        {
            return NatRewriteResult.LaterFragment;
        }

        var protocol = frame[ip + 9];
        var (portOffset, checksumOffset, headerSize) = TranslatedFields.Of(protocol, IpProtocols.Icmp, side);
        if (portOffset < 0)
        {
            return NatRewriteResult.Unsupported;
        }

        if (transport == HeaderOffsets.Absent || frame.Length < transport + headerSize)
        {
            return NatRewriteResult.Malformed;
        }

        if (protocol == IpProtocols.Icmp && frame[transport] is not (EchoRequest or EchoReply))
        {
            return NatRewriteResult.Unsupported;
        }

        var addressAt = ip + (side == NatSide.Source ? Ipv4Header.SourceOffset : Ipv4Header.DestinationOffset);
        var oldAddress = BinaryPrimitives.ReadUInt32BigEndian(frame[addressAt..]);
        var oldPort = BinaryPrimitives.ReadUInt16BigEndian(frame[(transport + portOffset)..]);
        var checksumAt = transport + checksumOffset;
        var checksum = BinaryPrimitives.ReadUInt16BigEndian(frame[checksumAt..]);
        if (protocol == IpProtocols.Icmp)
        {
            checksum = InternetChecksum.Update(checksum, oldPort, port);
        }
        else if (partialChecksum)
        {
            checksum = SumUpdate(checksum, oldAddress, address);
        }
        else if (protocol == IpProtocols.Tcp || checksum != 0)
        {
            checksum = InternetChecksum.Update(InternetChecksum.Update(checksum, oldAddress, address), oldPort, port);
            checksum = protocol == IpProtocols.Udp && checksum == 0 ? (ushort)0xFFFF : checksum;
        }

        var headerChecksumAt = ip + Ipv4Header.ChecksumOffset;
        var headerChecksum = BinaryPrimitives.ReadUInt16BigEndian(frame[headerChecksumAt..]);
        BinaryPrimitives.WriteUInt16BigEndian(frame[headerChecksumAt..], InternetChecksum.Update(headerChecksum, oldAddress, address));
        BinaryPrimitives.WriteUInt32BigEndian(frame[addressAt..], address);
        BinaryPrimitives.WriteUInt16BigEndian(frame[(transport + portOffset)..], port);
        BinaryPrimitives.WriteUInt16BigEndian(frame[checksumAt..], checksum);
        return NatRewriteResult.Rewritten;
    }

    /// <summary>
    /// Rewrites an ICMP error about a translated packet for the host that sent that packet: the outer destination
    /// becomes <paramref name="outerDestination"/>, and the quoted packet's ends become the ones its sender knew
    /// (<paramref name="quotedSource"/>:<paramref name="quotedSourcePort"/> to
    /// <paramref name="quotedDestination"/>:<paramref name="quotedDestinationPort"/>), with the quoted IPv4 checksum,
    /// the quoted TCP or UDP checksum when the quote holds it (or the quoted echo's own), and the error's ICMP checksum
    /// kept right incrementally. False, leaving the frame alone, when the quote is cut short of its headers.
    /// </summary>
    public static bool TryRewriteIcmpError(
        Span<byte> frame, in HeaderOffsets offsets, uint outerDestination, uint quotedSource, ushort quotedSourcePort, uint quotedDestination, ushort quotedDestinationPort)
    {
        var (ip, icmp) = (offsets.Network, offsets.Transport);
        var inner = icmp + TranslatedFields.IcmpHeaderSize;
        if (ip == HeaderOffsets.Absent || icmp == HeaderOffsets.Absent || frame.Length < inner + Ipv4Header.MinimumSize || frame[inner] >> 4 != 4)
        {
            return false;
        }

        var innerTransport = inner + ((frame[inner] & 0x0F) * 4);
        if (frame.Length < innerTransport + 8 || frame.Length < ip + BinaryPrimitives.ReadUInt16BigEndian(frame[(ip + Ipv4Header.TotalLengthOffset)..]))
        {
            return false;
        }

        var outerAt = ip + Ipv4Header.DestinationOffset;
        var oldOuter = BinaryPrimitives.ReadUInt32BigEndian(frame[outerAt..]);
        var outerChecksum = BinaryPrimitives.ReadUInt16BigEndian(frame[(ip + Ipv4Header.ChecksumOffset)..]);
        BinaryPrimitives.WriteUInt16BigEndian(frame[(ip + Ipv4Header.ChecksumOffset)..], InternetChecksum.Update(outerChecksum, oldOuter, outerDestination));
        BinaryPrimitives.WriteUInt32BigEndian(frame[outerAt..], outerDestination);

        var icmpChecksum = BinaryPrimitives.ReadUInt16BigEndian(frame[(icmp + TranslatedFields.IcmpChecksumOffset)..]);
        var protocol = frame[inner + 9];
        var (portAt, checksumAt) = TranslatedFields.InQuote(protocol, IpProtocols.Icmp, innerTransport);
        // The quote ends where the error's IPv4 packet does: any Ethernet padding after it is covered by no checksum.
        var end = Math.Min(frame.Length, ip + BinaryPrimitives.ReadUInt16BigEndian(frame[(ip + Ipv4Header.TotalLengthOffset)..]));
        var quote = frame[..end];
        QuotedEnd(quote, inner, inner + Ipv4Header.SourceOffset, quotedSource, portAt, quotedSourcePort, protocol, checksumAt, ref icmpChecksum);
        QuotedEnd(quote, inner, inner + Ipv4Header.DestinationOffset, quotedDestination, portAt < 0 ? -1 : portAt + 2, quotedDestinationPort, protocol, checksumAt, ref icmpChecksum);
        BinaryPrimitives.WriteUInt16BigEndian(frame[(icmp + TranslatedFields.IcmpChecksumOffset)..], icmpChecksum);
        return true;
    }

    /// <summary>
    /// Sets one end of a quoted packet: its address (and the quoted IPv4 checksum) and its port, or an echo's
    /// identifier (which both "ports" of a quoted echo name: only the source's is written), updating the quoted
    /// transport checksum when the quote holds it, and every changed word in the error's own checksum.
    /// </summary>
    private static void QuotedEnd(Span<byte> frame, int inner, int addressAt, uint address, int portAt, ushort port, byte protocol, int checksumAt, ref ushort icmpChecksum)
    {
        var innerChecksumAt = inner + Ipv4Header.ChecksumOffset;
        var oldAddress = BinaryPrimitives.ReadUInt32BigEndian(frame[addressAt..]);
        var oldInnerChecksum = BinaryPrimitives.ReadUInt16BigEndian(frame[innerChecksumAt..]);
        var newInnerChecksum = InternetChecksum.Update(oldInnerChecksum, oldAddress, address);
        BinaryPrimitives.WriteUInt32BigEndian(frame[addressAt..], address);
        BinaryPrimitives.WriteUInt16BigEndian(frame[innerChecksumAt..], newInnerChecksum);
        icmpChecksum = InternetChecksum.Update(InternetChecksum.Update(icmpChecksum, oldAddress, address), oldInnerChecksum, newInnerChecksum);
        var echoDestination = protocol == IpProtocols.Icmp && addressAt == inner + Ipv4Header.DestinationOffset;
        if (portAt < 0 || echoDestination)
        {
            return;
        }

        var oldPort = BinaryPrimitives.ReadUInt16BigEndian(frame[portAt..]);
        BinaryPrimitives.WriteUInt16BigEndian(frame[portAt..], port);
        icmpChecksum = InternetChecksum.Update(icmpChecksum, oldPort, port);
        if (checksumAt + 2 > frame.Length)
        {
            return;
        }

        var oldChecksum = BinaryPrimitives.ReadUInt16BigEndian(frame[checksumAt..]);
        var newChecksum = protocol switch
        {
            IpProtocols.Icmp => InternetChecksum.Update(oldChecksum, oldPort, port),
            IpProtocols.Udp when oldChecksum == 0 => (ushort)0,
            _ => InternetChecksum.Update(InternetChecksum.Update(oldChecksum, oldAddress, address), oldPort, port),
        };
        newChecksum = protocol == IpProtocols.Udp && oldChecksum != 0 && newChecksum == 0 ? (ushort)0xFFFF : newChecksum;
        BinaryPrimitives.WriteUInt16BigEndian(frame[checksumAt..], newChecksum);
        icmpChecksum = InternetChecksum.Update(icmpChecksum, oldChecksum, newChecksum);
    }

    /// <summary>An uncomplemented ones' complement sum (an offloaded checksum's pseudo-header sum) with a 32-bit word changed.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ushort SumUpdate(ushort sum, uint oldValue, uint newValue) => InternetChecksum.Fold((ulong)sum + ~oldValue + newValue);
}
