namespace Sdn.Common.Packets;

/// <summary>
/// Work a frame carries with it instead of having had it done: a transport checksum to finish and, for a TCP
/// super-frame of up to 64 KiB, the segmentation into MSS-sized segments. It is what a virtio-net header says
/// (virtio 1.2 §5.1.6.2), kept beside the frame as it crosses the fabric so the frame stays one packet until an
/// egress that can take it (a TAP with offloads) hands the work to the kernel, or an egress that cannot does it
/// in software (<see cref="FrameSegmenter"/>).
/// </summary>
/// <remarks>
/// Header positions are counted back from the end of the frame, because labels and tags are pushed and popped
/// at its front on the way while the IP header, the TCP header and the payload behind them never move.
/// </remarks>
/// <param name="Segmentation">Whether, and as what, the frame is to be segmented.</param>
/// <param name="SegmentSize">The payload bytes of each segment (the MSS) when segmented.</param>
/// <param name="NetworkFromEnd">The bytes from the start of the IP header to the end of the frame.</param>
/// <param name="ChecksumStartFromEnd">The bytes from the start of the transport header (where the checksum starts) to the end of the frame; 0 when no checksum is left to finish.</param>
/// <param name="ChecksumOffset">Where the checksum field sits in the transport header; it holds the pseudo-header sum until finished.</param>
public readonly record struct FrameOffload(
    FrameSegmentation Segmentation,
    ushort SegmentSize,
    int NetworkFromEnd,
    int ChecksumStartFromEnd,
    ushort ChecksumOffset)
{
    /// <summary>Nothing left to do: the frame is complete as it is.</summary>
    public static FrameOffload None => default;

    /// <summary>Whether a transport checksum is left to finish.</summary>
    public bool NeedsChecksum => ChecksumStartFromEnd != 0;

    /// <summary>Whether the frame is a super-frame to cut into segments.</summary>
    public bool IsSegmented => Segmentation != FrameSegmentation.None;
}
