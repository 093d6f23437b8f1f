using System.Buffers.Binary;
using Sdn.Common.Packets;

namespace Sdn.Fabric.Edge.Tap;

/// <summary>
/// The 10-byte header a TAP device opened with IFF_VNET_HDR puts before each frame (virtio 1.2 §5.1.6,
/// <c>struct virtio_net_hdr</c>, little-endian on the machines we run on), translated to and from a
/// <see cref="FrameOffload"/>.
/// </summary>
/// <remarks>
/// <code>
///  0      1      2        4         6           8            10
///  | flags| gso  | hdr_len| gso_size| csum_start| csum_offset |
/// </code>
/// </remarks>
public static class VirtioNetHeader
{
    public const int Size = 10;

    private const byte NeedsChecksum = 1;
    private const byte EcnBit = 0x80;
    private const int EthernetSize = 14;
    private const int TaggedEthernetSize = 18;

    /// <summary>
    /// Reads the header in front of <paramref name="frame"/>; false when it asks for work this fabric does not do
    /// (UDP segmentation, segmentation without a checksum) or its positions fall outside the frame.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> header, ReadOnlySpan<byte> frame, out FrameOffload offload)
    {
        offload = FrameOffload.None;
        var segmentation = (FrameSegmentation)(header[1] & ~EcnBit);
        if ((header[0] & NeedsChecksum) == 0)
        {
            return segmentation == FrameSegmentation.None;
        }

        if (segmentation is not (FrameSegmentation.None or FrameSegmentation.TcpIpv4 or FrameSegmentation.TcpIpv6) || frame.Length < EthernetSize)
        {
            return false;
        }

        var checksumStart = BinaryPrimitives.ReadUInt16LittleEndian(header[6..]);
        var checksumOffset = BinaryPrimitives.ReadUInt16LittleEndian(header[8..]);
        if (checksumStart + checksumOffset + 2 > frame.Length)
        {
            return false;
        }

        var network = BinaryPrimitives.ReadUInt16BigEndian(frame[12..]) == EtherTypes.Vlan ? TaggedEthernetSize : EthernetSize;
        offload = new FrameOffload(
            segmentation,
            BinaryPrimitives.ReadUInt16LittleEndian(header[4..]),
            frame.Length - network,
            frame.Length - checksumStart,
            checksumOffset);
        return true;
    }

    /// <summary>Writes the header for a frame of <paramref name="frameLength"/> bytes with <paramref name="offload"/> left to do.</summary>
    public static void Write(Span<byte> header, int frameLength, in FrameOffload offload)
    {
        header[..Size].Clear();
        if (!offload.NeedsChecksum)
        {
            return;
        }

        var checksumStart = frameLength - offload.ChecksumStartFromEnd;
        header[0] = NeedsChecksum;
        header[1] = (byte)offload.Segmentation;
        BinaryPrimitives.WriteUInt16LittleEndian(header[2..], (ushort)(checksumStart + offload.ChecksumOffset + 2));
        BinaryPrimitives.WriteUInt16LittleEndian(header[4..], offload.SegmentSize);
        BinaryPrimitives.WriteUInt16LittleEndian(header[6..], (ushort)checksumStart);
        BinaryPrimitives.WriteUInt16LittleEndian(header[8..], offload.ChecksumOffset);
    }
}
