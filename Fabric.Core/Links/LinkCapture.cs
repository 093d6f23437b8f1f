using System.Runtime.CompilerServices;
using Sdn.Common;
using Sdn.Common.Capture;
using Sdn.Common.Packets;

namespace Sdn.Fabric.Core.Links;

/// <summary>
/// The capture tap of one link endpoint. Link frames are bare MPLS packets, so each captured frame is
/// given an Ethernet header (EtherType 0x8847, locally administered MACs made from the link name) and the
/// capture reads as ordinary Ethernet: tshark and tcpdump decode the label stack as they would off a wire.
/// </summary>
/// <remarks>
/// One scratch buffer per direction, allocated with the link, because the sending and the receiving
/// thread may differ. With no capture attached, the cost is the tap's one branch.
/// </remarks>
public sealed class LinkCapture
{
    private const int HeaderLength = EthernetHeader.Size;

    private readonly byte[] _outboundScratch = new byte[HeaderLength + PacketBurst.MaxSuperFrameLength];
    private readonly byte[] _inboundScratch = new byte[HeaderLength + PacketBurst.MaxSuperFrameLength];

    public LinkCapture(string linkName)
    {
        ArgumentNullException.ThrowIfNull(linkName);
        var local = 0x02_00_00_00_00_00ul | (((ulong)StableHash.Of(linkName) << 8) & 0x00_FF_FF_FF_FF_00);
        var peer = local | 0x01;
        WriteHeader(_outboundScratch, destination: peer, source: local);
        WriteHeader(_inboundScratch, destination: local, source: peer);
    }

    public CaptureTap Tap { get; } = new();

    /// <summary>Offers the numbered frames as the link is handed them, as tcpdump sees frames given to a driver.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void OfferOutbound(PacketBurst burst, ReadOnlySpan<byte> frames)
    {
        if (Tap.IsActive)
        {
            for (var i = 0; i < frames.Length; i++)
            {
                Offer(_outboundScratch, burst.Frame(frames[i]), CaptureDirection.Outbound);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void OfferInbound(ReadOnlySpan<byte> frame)
    {
        if (Tap.IsActive)
        {
            Offer(_inboundScratch, frame, CaptureDirection.Inbound);
        }
    }

    private void Offer(byte[] scratch, ReadOnlySpan<byte> frame, CaptureDirection direction)
    {
        var length = Math.Min(frame.Length, scratch.Length - HeaderLength);
        frame[..length].CopyTo(scratch.AsSpan(HeaderLength));
        Tap.Offer(scratch.AsSpan(0, HeaderLength + length), direction);
    }

    private static void WriteHeader(Span<byte> scratch, ulong destination, ulong source)
    {
        EthernetHeader.TryWrite(scratch, destination, source, EtherTypes.MplsUnicast);
    }
}
