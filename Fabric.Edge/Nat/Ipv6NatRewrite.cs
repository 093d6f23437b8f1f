using System.Buffers.Binary;
using Sdn.Common.Packets;

namespace Sdn.Fabric.Edge.Nat;

/// <summary>
/// The frame rewrite behind NAT66: one end's IPv6 address, and its TCP or UDP port or its ICMPv6 echo identifier,
/// changed in place, with every checksum that covers them brought up to date incrementally (RFC 1624), as
/// <see cref="Ipv4NatRewrite"/> does for IPv4.
/// </summary>
/// <remarks>
/// <para>
/// <b>Checksums.</b> IPv6 has no header checksum. TCP's, UDP's and ICMPv6's all cover the addresses through the
/// pseudo-header (RFC 8200 §8.1), and the port or identifier directly. A UDP checksum of zero (which only tunnels
/// may send over IPv6, RFC 6935) stays zero; an updated one that comes to zero is sent as 0xFFFF.
/// </para>
/// <para>
/// <b>Checksum offload.</b> As for IPv4: a TCP or UDP checksum left unfinished holds the pseudo-header's sum, which
/// takes the address change as a sum and the port change not at all.
/// </para>
/// <para>
/// <b>Extension headers.</b> The upper-layer header is where the frame's parse found it (after any extension
/// headers); a later fragment carries no ports and is not rewritten.
/// </para>
/// Nothing allocates or throws; bounds are checked before every write.
/// </remarks>
public static class Ipv6NatRewrite
{
    private const byte EchoRequest = 128;
    private const byte EchoReply = 129;

    /// <summary>
    /// Sets <paramref name="side"/>'s address to <paramref name="address"/> and its port (an echo's identifier) to
    /// <paramref name="port"/> in the IPv6 packet at <paramref name="offsets"/>. <paramref name="partialChecksum"/> says
    /// the transport checksum is left unfinished for offload.
    /// </summary>
    public static NatRewriteResult Apply(Span<byte> frame, in HeaderOffsets offsets, NatSide side, UInt128 address, ushort port, bool partialChecksum = false)
    {
        var ip = offsets.Network;
        var transport = offsets.Transport;
        if (ip == HeaderOffsets.Absent || offsets.EtherType == HeaderOffsets.Absent || frame.Length < offsets.EtherType + 2
            || BinaryPrimitives.ReadUInt16BigEndian(frame[offsets.EtherType..]) != EtherTypes.Ipv6 || frame.Length < ip + Ipv6Header.Size)
        {
            return NatRewriteResult.Malformed;
        }

        var protocol = frame[ip + Ipv6Header.NextHeaderOffset];
        if (Ipv6ExtensionChain.IsExtensionHeader(protocol))
        {
            if (Ipv6ExtensionChain.Parse(protocol, frame[(ip + Ipv6Header.Size)..], out var chain) != ParseStatus.Ok)
            {
                return NatRewriteResult.Malformed;
            }

            if (chain.IsFragment && chain.FragmentOffset != 0)
            {
                return NatRewriteResult.LaterFragment;
            }

            protocol = chain.UpperLayerProtocol;
        }

        var (portOffset, checksumOffset, headerSize) = TranslatedFields.Of(protocol, IpProtocols.Icmpv6, side);
        if (portOffset < 0)
        {
            return NatRewriteResult.Unsupported;
        }

        if (transport == HeaderOffsets.Absent || frame.Length < transport + headerSize)
        {
            return NatRewriteResult.Malformed;
        }

        if (protocol == IpProtocols.Icmpv6 && frame[transport] is not (EchoRequest or EchoReply))
        {
            return NatRewriteResult.Unsupported;
        }

        var addressAt = ip + (side == NatSide.Source ? Ipv6Header.SourceOffset : Ipv6Header.DestinationOffset);
        var oldAddress = BinaryPrimitives.ReadUInt128BigEndian(frame[addressAt..]);
        var oldPort = BinaryPrimitives.ReadUInt16BigEndian(frame[(transport + portOffset)..]);
        var checksumAt = transport + checksumOffset;
        var checksum = BinaryPrimitives.ReadUInt16BigEndian(frame[checksumAt..]);
        if (partialChecksum && protocol != IpProtocols.Icmpv6)
        {
            checksum = (ushort)~InternetChecksum.Update((ushort)~checksum, oldAddress, address);
        }
        else if (protocol != IpProtocols.Udp || checksum != 0)
        {
            checksum = InternetChecksum.Update(InternetChecksum.Update(checksum, oldAddress, address), oldPort, port);
            checksum = protocol == IpProtocols.Udp && checksum == 0 ? (ushort)0xFFFF : checksum;
        }

        BinaryPrimitives.WriteUInt128BigEndian(frame[addressAt..], address);
        BinaryPrimitives.WriteUInt16BigEndian(frame[(transport + portOffset)..], port);
        BinaryPrimitives.WriteUInt16BigEndian(frame[checksumAt..], checksum);
        return NatRewriteResult.Rewritten;
    }

    /// <summary>
    /// Rewrites an ICMPv6 error about a translated packet for the host that sent that packet: the outer destination
    /// becomes <paramref name="outerDestination"/>, and the quoted packet's ends become the ones its sender knew, with
    /// the quoted TCP, UDP or ICMPv6 echo checksum (when the quote holds it) and the error's own checksum, whose
    /// pseudo-header holds the outer destination, kept right incrementally. False, leaving the frame alone, when the
    /// quote is cut short of its headers.
    /// </summary>
    public static bool TryRewriteIcmpError(
        Span<byte> frame, in HeaderOffsets offsets, UInt128 outerDestination, UInt128 quotedSource, ushort quotedSourcePort, UInt128 quotedDestination, ushort quotedDestinationPort)
    {
        var (ip, icmp) = (offsets.Network, offsets.Transport);
        var inner = icmp + TranslatedFields.IcmpHeaderSize;
        if (ip == HeaderOffsets.Absent || icmp == HeaderOffsets.Absent || frame.Length < ip + Ipv6Header.Size)
        {
            return false;
        }

        // The quote ends where the error's IPv6 packet does: any Ethernet padding after it is covered by no checksum.
        var end = Math.Min(frame.Length, ip + Ipv6Header.Size + BinaryPrimitives.ReadUInt16BigEndian(frame[(ip + Ipv6Header.PayloadLengthOffset)..]));
        var innerTransport = inner + Ipv6Header.Size;
        if (end < innerTransport + 8 || frame[inner] >> 4 != 6)
        {
            return false;
        }

        var quote = frame[..end];
        var icmpChecksumAt = icmp + TranslatedFields.IcmpChecksumOffset;
        var icmpChecksum = BinaryPrimitives.ReadUInt16BigEndian(quote[icmpChecksumAt..]);
        var outerAt = ip + Ipv6Header.DestinationOffset;
        var oldOuter = BinaryPrimitives.ReadUInt128BigEndian(quote[outerAt..]);
        icmpChecksum = InternetChecksum.Update(icmpChecksum, oldOuter, outerDestination);
        BinaryPrimitives.WriteUInt128BigEndian(quote[outerAt..], outerDestination);

        var protocol = quote[inner + Ipv6Header.NextHeaderOffset];
        var (portAt, checksumAt) = TranslatedFields.InQuote(protocol, IpProtocols.Icmpv6, innerTransport);
        QuotedEnd(quote, inner + Ipv6Header.SourceOffset, quotedSource, portAt, quotedSourcePort, writesPort: true, protocol, checksumAt, ref icmpChecksum);
        QuotedEnd(quote, inner + Ipv6Header.DestinationOffset, quotedDestination, portAt < 0 ? -1 : portAt + 2, quotedDestinationPort, writesPort: protocol != IpProtocols.Icmpv6, protocol, checksumAt, ref icmpChecksum);
        BinaryPrimitives.WriteUInt16BigEndian(quote[icmpChecksumAt..], icmpChecksum);
        return true;
    }

    /// <summary>
    /// Sets one end of a quoted packet: its address and, with <paramref name="writesPort"/>, its port or an echo's
    /// identifier (both "ports" of a quoted echo name it, so only the source end writes it), updating the quoted
    /// transport checksum when the quote holds it (every quoted transport's covers the quoted addresses), and every
    /// changed word in the error's own checksum.
    /// </summary>
    private static void QuotedEnd(Span<byte> frame, int addressAt, UInt128 address, int portAt, ushort port, bool writesPort, byte protocol, int checksumAt, ref ushort icmpChecksum)
    {
        var oldAddress = BinaryPrimitives.ReadUInt128BigEndian(frame[addressAt..]);
        BinaryPrimitives.WriteUInt128BigEndian(frame[addressAt..], address);
        icmpChecksum = InternetChecksum.Update(icmpChecksum, oldAddress, address);
        var hasChecksum = checksumAt >= 0 && checksumAt + 2 <= frame.Length;
        var oldChecksum = hasChecksum ? BinaryPrimitives.ReadUInt16BigEndian(frame[checksumAt..]) : (ushort)0;
        var keepsChecksum = !hasChecksum || (protocol == IpProtocols.Udp && oldChecksum == 0);
        var newChecksum = keepsChecksum ? oldChecksum : InternetChecksum.Update(oldChecksum, oldAddress, address);
        if (writesPort && portAt >= 0)
        {
            var oldPort = BinaryPrimitives.ReadUInt16BigEndian(frame[portAt..]);
            BinaryPrimitives.WriteUInt16BigEndian(frame[portAt..], port);
            icmpChecksum = InternetChecksum.Update(icmpChecksum, oldPort, port);
            newChecksum = keepsChecksum ? newChecksum : InternetChecksum.Update(newChecksum, oldPort, port);
        }

        if (keepsChecksum)
        {
            return;
        }

        newChecksum = protocol == IpProtocols.Udp && newChecksum == 0 ? (ushort)0xFFFF : newChecksum;
        BinaryPrimitives.WriteUInt16BigEndian(frame[checksumAt..], newChecksum);
        icmpChecksum = InternetChecksum.Update(icmpChecksum, oldChecksum, newChecksum);
    }
}
