using System.Buffers.Binary;
using Sdn.Common.Packets;

namespace Sdn.Fabric.Core.Links;

/// <summary>
/// How a frame's <see cref="FrameOffload"/> crosses an MPLS-in-UDP link, whose datagrams carry bytes only: a TCP
/// super-frame goes whole (as one datagram, or in chunks, see <see cref="SuperFrameChunk"/>), with its segment
/// size written into its TCP checksum field; every other frame goes finished.
/// </summary>
/// <remarks>
/// <para>
/// The datagram stays an RFC 7510 payload, a label stack and then the tenant's Ethernet frame, so the core swaps its
/// label as it does any other. What a virtio-net header would say the receiver reads back from the frame itself: the
/// IP version gives the segmentation, the IP and TCP headers give the positions. Only the segment size (the sender's
/// MSS) cannot be read from the headers, and the TCP checksum field is the one place free to carry it: in a
/// super-frame that field holds nothing but the pseudo-header sum, which the receiver computes again from the IP header
/// before it hands the frame on (<see cref="TryRead"/>).
/// </para>
/// <para>
/// The receiver tells a super-frame by its length: no frame longer than <see cref="PacketBurst.MaxFrameLength"/>
/// crosses the fabric unless it is one, so a super-frame that short, or one whose headers this reading does not
/// cover (IPv6 extension headers), is cut into segments before it is sent.
/// </para>
/// </remarks>
public static class MplsInUdpOffload
{
    private const int MaxLabels = 8;
    private const int VlanTagSize = 4;
    private const int EtherTypeOffset = 12;
    private const int Ipv4ProtocolOffset = 9;
    private const int Ipv6PayloadLengthOffset = 4;
    private const int Ipv6NextHeaderOffset = 6;
    private const int Ipv6SourceOffset = 8;
    private const int Ipv6DestinationOffset = 24;
    private const int TcpDataOffsetByte = 12;

    /// <summary>Whether <paramref name="frame"/> can cross with <paramref name="offload"/> still to do; when not, it must be finished in software first.</summary>
    public static bool CanCarry(ReadOnlySpan<byte> frame, in FrameOffload offload)
    {
        if (!offload.IsSegmented)
        {
            return ChecksumFieldAt(frame, offload) >= 0;
        }

        var transport = frame.Length - offload.ChecksumStartFromEnd;
        var network = frame.Length - offload.NetworkFromEnd;
        if (frame.Length <= PacketBurst.MaxFrameLength || offload.SegmentSize == 0 || offload.ChecksumOffset != TcpHeader.ChecksumOffset
            || network < 0 || transport < network + Ipv4Header.MinimumSize || transport + TcpHeader.MinimumSize > frame.Length
            || (offload.Segmentation == FrameSegmentation.TcpIpv6 && transport - network != Ipv6Header.Size))
        {
            return false;
        }

        var payload = frame.Length - transport - ((frame[transport + TcpDataOffsetByte] >> 4) * 4);
        return payload > offload.SegmentSize;
    }

    /// <summary>
    /// Readies a frame that <see cref="CanCarry"/> allows for the wire, in place: a super-frame's segment size goes into its
    /// checksum field, any other frame's checksum is finished. Returns the field as it was, for <see cref="Restore"/>.
    /// </summary>
    public static ushort Stamp(Span<byte> frame, in FrameOffload offload)
    {
        var field = ChecksumFieldAt(frame, offload);
        var saved = BinaryPrimitives.ReadUInt16BigEndian(frame[field..]);
        if (offload.IsSegmented)
        {
            BinaryPrimitives.WriteUInt16BigEndian(frame[field..], offload.SegmentSize);
        }
        else
        {
            FrameSegmenter.TryFinishChecksum(frame, offload);
        }

        return saved;
    }

    /// <summary>Puts back the checksum field <see cref="Stamp"/> changed, so the frame is again as its offload describes it.</summary>
    public static void Restore(Span<byte> frame, in FrameOffload offload, ushort saved) =>
        BinaryPrimitives.WriteUInt16BigEndian(frame[ChecksumFieldAt(frame, offload)..], saved);

    /// <summary>
    /// Reads back the offload of a datagram longer than <see cref="PacketBurst.MaxFrameLength"/>: a label stack, an
    /// Ethernet frame (one VLAN tag at most), IPv4 or IPv6 without extension headers, and TCP with more payload than
    /// the segment size its checksum field carries. On success the field holds the pseudo-header sum again, as a
    /// super-frame's does; false, and nothing changed, when the datagram is not such a super-frame.
    /// </summary>
    public static bool TryRead(Span<byte> datagram, out FrameOffload offload)
    {
        offload = FrameOffload.None;
        if (!TryFindNetwork(datagram, out var network, out var isIpv4))
        {
            return false;
        }

        var ip = datagram[network..];
        int headerLength;
        if (isIpv4)
        {
            headerLength = (ip[0] & 0xF) * 4;
            if (ip[0] >> 4 != 4 || headerLength < Ipv4Header.MinimumSize || ip[Ipv4ProtocolOffset] != IpProtocols.Tcp
                || BinaryPrimitives.ReadUInt16BigEndian(ip[Ipv4Header.TotalLengthOffset..]) != ip.Length)
            {
                return false;
            }
        }
        else
        {
            headerLength = Ipv6Header.Size;
            if (ip.Length < Ipv6Header.Size || ip[0] >> 4 != 6 || ip[Ipv6NextHeaderOffset] != IpProtocols.Tcp
                || BinaryPrimitives.ReadUInt16BigEndian(ip[Ipv6PayloadLengthOffset..]) != ip.Length - Ipv6Header.Size)
            {
                return false;
            }
        }

        var tcp = ip[headerLength..];
        if (tcp.Length < TcpHeader.MinimumSize)
        {
            return false;
        }

        var tcpHeaderLength = (tcp[TcpDataOffsetByte] >> 4) * 4;
        var segmentSize = BinaryPrimitives.ReadUInt16BigEndian(tcp[TcpHeader.ChecksumOffset..]);
        if (tcpHeaderLength < TcpHeader.MinimumSize || segmentSize == 0 || tcp.Length - tcpHeaderLength <= segmentSize)
        {
            return false;
        }

        var pseudoHeader = isIpv4
            ? InternetChecksum.PseudoHeaderSum(
                BinaryPrimitives.ReadUInt32BigEndian(ip[Ipv4Header.SourceOffset..]),
                BinaryPrimitives.ReadUInt32BigEndian(ip[Ipv4Header.DestinationOffset..]),
                IpProtocols.Tcp,
                tcp.Length)
            : InternetChecksum.PseudoHeaderSum(
                BinaryPrimitives.ReadUInt128BigEndian(ip[Ipv6SourceOffset..]),
                BinaryPrimitives.ReadUInt128BigEndian(ip[Ipv6DestinationOffset..]),
                IpProtocols.Tcp,
                tcp.Length);
        BinaryPrimitives.WriteUInt16BigEndian(tcp[TcpHeader.ChecksumOffset..], InternetChecksum.Fold(pseudoHeader));
        offload = new FrameOffload(
            isIpv4 ? FrameSegmentation.TcpIpv4 : FrameSegmentation.TcpIpv6,
            segmentSize,
            ip.Length,
            tcp.Length,
            TcpHeader.ChecksumOffset);
        return true;
    }

    /// <summary>Where the checksum field of a frame with a checksum left to finish sits; -1 when the offload's positions do not fit the frame.</summary>
    private static int ChecksumFieldAt(ReadOnlySpan<byte> frame, in FrameOffload offload)
    {
        var field = frame.Length - offload.ChecksumStartFromEnd + offload.ChecksumOffset;
        return offload.NeedsChecksum && offload.ChecksumStartFromEnd <= frame.Length && field + 2 <= frame.Length ? field : -1;
    }

    /// <summary>Skips the label stack and the Ethernet header (and one VLAN tag) to the IP header.</summary>
    private static bool TryFindNetwork(ReadOnlySpan<byte> datagram, out int network, out bool isIpv4)
    {
        network = 0;
        isIpv4 = false;
        for (var labels = 1; ; labels++)
        {
            if (labels > MaxLabels || network + MplsLabelStackEntry.Size > datagram.Length)
            {
                return false;
            }

            var bottom = (datagram[network + 2] & 1) != 0;
            network += MplsLabelStackEntry.Size;
            if (bottom)
            {
                break;
            }
        }

        var etherTypeAt = network + EtherTypeOffset;
        if (etherTypeAt + 2 <= datagram.Length && EtherTypes.IsVlanTag(BinaryPrimitives.ReadUInt16BigEndian(datagram[etherTypeAt..])))
        {
            etherTypeAt += VlanTagSize;
        }

        if (etherTypeAt + 2 + Ipv4Header.MinimumSize > datagram.Length)
        {
            return false;
        }

        var etherType = BinaryPrimitives.ReadUInt16BigEndian(datagram[etherTypeAt..]);
        network = etherTypeAt + 2;
        isIpv4 = etherType == EtherTypes.Ipv4;
        return isIpv4 || etherType == EtherTypes.Ipv6;
    }
}
