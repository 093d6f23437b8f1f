using System.Buffers.Binary;

namespace Sdn.Common.Packets;

/// <summary>
/// Does in software what a <see cref="FrameOffload"/> leaves to do, for an egress that cannot hand it to a
/// kernel or a NIC: finishes the transport checksum, or cuts a TCP super-frame into MSS-sized segments the way
/// the kernel's GSO does (each with its own IP length, IPv4 identification and header checksum, TCP sequence
/// number and checksum; FIN and PSH only on the last, CWR only on the first).
/// </summary>
/// <remarks>
/// Whatever sits in front of the IP header (Ethernet, tags, an MPLS label stack) is copied into every segment
/// unchanged. A frame whose offload does not describe what the frame holds is refused, never thrown at.
/// </remarks>
public static class FrameSegmenter
{
    private const int TcpSequenceOffset = 4;
    private const int TcpDataOffsetByte = 12;
    private const int TcpFlagsByte = 13;
    private const byte FinOrPsh = 0x01 | 0x08;
    private const byte Cwr = 0x80;
    private const int Ipv4IdentificationOffset = 4;
    private const int Ipv6PayloadLengthOffset = 4;
    private const int Ipv6SourceOffset = 8;
    private const int Ipv6DestinationOffset = 24;

    /// <summary>Finishes the transport checksum of <paramref name="frame"/> in place; false when the offload's positions do not fit the frame.</summary>
    public static bool TryFinishChecksum(Span<byte> frame, in FrameOffload offload)
    {
        var start = frame.Length - offload.ChecksumStartFromEnd;
        if (!offload.NeedsChecksum || start < 0 || start + offload.ChecksumOffset + 2 > frame.Length)
        {
            return false;
        }

        // The field holds the pseudo-header sum, so the sum from the start covers everything the checksum must.
        var checksum = (ushort)~InternetChecksum.Fold(InternetChecksum.Add(0, frame[start..]));
        BinaryPrimitives.WriteUInt16BigEndian(frame[(start + offload.ChecksumOffset)..], checksum);
        return true;
    }

    /// <summary>How many segments <paramref name="frame"/> makes; 0 when its offload does not describe a TCP segment it holds.</summary>
    public static int SegmentCount(ReadOnlySpan<byte> frame, in FrameOffload offload) =>
        TryLayout(frame, offload, out var layout) ? layout.Count : 0;

    /// <summary>
    /// Appends every piece of <paramref name="frame"/> to <paramref name="into"/>, each with its offload done: its
    /// segments, or one copy with its checksum finished. Whenever <paramref name="into"/> is full, <paramref name="sink"/>
    /// makes room. False when the offload does not fit the frame, or a piece fits no frame: the pieces appended before
    /// stay, and the caller counts the frame as dropped.
    /// </summary>
    public static bool TryAppendAllFinished<TSink>(ReadOnlySpan<byte> frame, in FrameOffload offload, PacketBurst into, ref TSink sink)
        where TSink : struct, IFinishedPieceSink
    {
        ArgumentNullException.ThrowIfNull(into);
        var pieces = offload.IsSegmented ? SegmentCount(frame, offload) : 1;
        var next = 0;
        while (next < pieces)
        {
            if (into.IsFull)
            {
                sink.MakeRoom(into);
            }

            var before = into.Count;
            next = AppendFinished(frame, offload, into, next);
            sink.Appended(before, into.Count - before);
            if (next < 0 || into.Count == before)
            {
                return false;
            }
        }

        return pieces > 0;
    }

    /// <summary>
    /// Appends the pieces of <paramref name="frame"/> from number <paramref name="first"/> on to <paramref name="into"/>,
    /// each with its offload done: its segments, or one copy with its checksum finished. Returns the number of the next
    /// piece still to append, as <see cref="AppendSegments"/> does (the same number when <paramref name="into"/> had no
    /// room); -1 when the offload does not fit the frame, and then nothing of it is left in <paramref name="into"/>.
    /// </summary>
    private static int AppendFinished(ReadOnlySpan<byte> frame, in FrameOffload offload, PacketBurst into, int first)
    {
        if (offload.IsSegmented)
        {
            return AppendSegments(frame, offload, into, first);
        }

        var copy = into.Append(frame.Length);
        if (copy.Length != frame.Length)
        {
            return first;
        }

        frame.CopyTo(copy);
        if (!offload.NeedsChecksum || TryFinishChecksum(copy, offload))
        {
            return 1;
        }

        into.DropLast();
        return -1;
    }

    /// <summary>
    /// Appends the segments of <paramref name="frame"/> from number <paramref name="first"/> on to
    /// <paramref name="into"/>, while it has room; returns the number of the next segment still to append
    /// (<see cref="SegmentCount"/> once all are in), or -1 when the offload does not describe a TCP segment the
    /// frame holds.
    /// </summary>
    public static int AppendSegments(ReadOnlySpan<byte> frame, in FrameOffload offload, PacketBurst into, int first)
    {
        ArgumentNullException.ThrowIfNull(into);
        if (!TryLayout(frame, offload, out var layout))
        {
            return -1;
        }

        var next = first;
        for (; next < layout.Count; next++)
        {
            var payloadStart = layout.Headers + (next * offload.SegmentSize);
            var payload = Math.Min(offload.SegmentSize, frame.Length - payloadStart);
            var segment = into.Append(layout.Headers + payload);
            if (segment.IsEmpty)
            {
                break;
            }

            frame[..layout.Headers].CopyTo(segment);
            frame.Slice(payloadStart, payload).CopyTo(segment[layout.Headers..]);
            Rewrite(segment, layout, next, offload.SegmentSize);
        }

        return next;
    }

    private static void Rewrite(Span<byte> segment, in Layout layout, int number, ushort segmentSize)
    {
        var ip = segment[layout.Network..];
        var tcp = segment[layout.Transport..];
        var tcpLength = tcp.Length;
        ulong pseudoHeader;
        if (layout.IsIpv4)
        {
            BinaryPrimitives.WriteUInt16BigEndian(ip[Ipv4Header.TotalLengthOffset..], (ushort)ip.Length);
            var identification = BinaryPrimitives.ReadUInt16BigEndian(ip[Ipv4IdentificationOffset..]);
            BinaryPrimitives.WriteUInt16BigEndian(ip[Ipv4IdentificationOffset..], (ushort)(identification + number));
            Ipv4Header.WriteChecksum(ip[..layout.NetworkHeader]);
            pseudoHeader = InternetChecksum.PseudoHeaderSum(
                BinaryPrimitives.ReadUInt32BigEndian(ip[Ipv4Header.SourceOffset..]),
                BinaryPrimitives.ReadUInt32BigEndian(ip[Ipv4Header.DestinationOffset..]),
                IpProtocols.Tcp,
                tcpLength);
        }
        else
        {
            BinaryPrimitives.WriteUInt16BigEndian(ip[Ipv6PayloadLengthOffset..], (ushort)(ip.Length - Ipv6Header.Size));
            pseudoHeader = InternetChecksum.PseudoHeaderSum(
                BinaryPrimitives.ReadUInt128BigEndian(ip[Ipv6SourceOffset..]),
                BinaryPrimitives.ReadUInt128BigEndian(ip[Ipv6DestinationOffset..]),
                IpProtocols.Tcp,
                tcpLength);
        }

        var sequence = BinaryPrimitives.ReadUInt32BigEndian(tcp[TcpSequenceOffset..]);
        BinaryPrimitives.WriteUInt32BigEndian(tcp[TcpSequenceOffset..], sequence + (uint)(number * segmentSize));
        if (number != layout.Count - 1)
        {
            tcp[TcpFlagsByte] &= unchecked((byte)~FinOrPsh);
        }

        if (number != 0)
        {
            tcp[TcpFlagsByte] &= unchecked((byte)~Cwr);
        }

        TcpHeader.WriteChecksum(tcp, pseudoHeader);
    }

    private static bool TryLayout(ReadOnlySpan<byte> frame, in FrameOffload offload, out Layout layout)
    {
        layout = default;
        var network = frame.Length - offload.NetworkFromEnd;
        var transport = frame.Length - offload.ChecksumStartFromEnd;
        var isIpv4 = offload.Segmentation == FrameSegmentation.TcpIpv4;
        if (!offload.IsSegmented || offload.SegmentSize == 0 || network < 0 || offload.NetworkFromEnd == 0
            || transport < network + (isIpv4 ? Ipv4Header.MinimumSize : Ipv6Header.Size)
            || transport + TcpHeader.MinimumSize > frame.Length
            || frame[network] >> 4 != (isIpv4 ? 4 : 6))
        {
            return false;
        }

        var headers = transport + ((frame[transport + TcpDataOffsetByte] >> 4) * 4);
        if (headers < transport + TcpHeader.MinimumSize || headers > frame.Length)
        {
            return false;
        }

        var payload = frame.Length - headers;
        var count = Math.Max(1, (payload + offload.SegmentSize - 1) / offload.SegmentSize);
        layout = new Layout(network, isIpv4 ? (frame[network] & 0xF) * 4 : Ipv6Header.Size, transport, headers, count, isIpv4);
        return true;
    }

    private readonly record struct Layout(int Network, int NetworkHeader, int Transport, int Headers, int Count, bool IsIpv4);
}
