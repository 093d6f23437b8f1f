using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using Sdn.Common.Packets;

namespace Sdn.Fabric.Core.Links.Liveness;

/// <summary>
/// How a hello travels on a link: as MPLS-TP BFD continuity check (RFC 6428), i.e. the Generic Associated
/// Channel Label (13, RFC 5586) at the bottom of a one-entry stack, an Associated Channel Header with the
/// BFD CC channel type, then the BFD control packet.
/// <code>
/// +------------------------------+
/// | GAL 13 | TC 0 | S=1 | TTL 1  |  label stack entry
/// | 0001 | Ver 0 | Rsvd | 0x0022 |  associated channel header
/// | BFD control packet (24 B)    |
/// +------------------------------+
/// </code>
/// The GAL is reserved, so no LFIB entry or service label can collide with it, and decoders such as
/// Wireshark show hellos as BFD rather than as unknown data.
/// </summary>
public static class LivenessHello
{
    public const uint GenericAssociatedChannelLabel = 13;
    public const ushort BfdContinuityCheckChannelType = 0x0022;
    public const int AssociatedChannelHeaderSize = 4;
    public const int Size = MplsLabelStackEntry.Size + AssociatedChannelHeaderSize + BfdControlPacket.Size;

    private const uint AssociatedChannelFirstNibble = 0x1;

    /// <summary>True when the top label of <paramref name="frame"/> is the GAL.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsHello(ReadOnlySpan<byte> frame) =>
        frame.Length >= MplsLabelStackEntry.Size
        && BinaryPrimitives.ReadUInt32BigEndian(frame) >> 12 == GenericAssociatedChannelLabel;

    public static void Write(Span<byte> frame, in BfdControlPacket packet)
    {
        new MplsLabelStackEntry(GenericAssociatedChannelLabel, 0, BottomOfStack: true, Ttl: 1).TryWrite(frame);
        BinaryPrimitives.WriteUInt32BigEndian(
            frame[MplsLabelStackEntry.Size..], (AssociatedChannelFirstNibble << 28) | BfdContinuityCheckChannelType);
        packet.Write(frame[(MplsLabelStackEntry.Size + AssociatedChannelHeaderSize)..]);
    }

    /// <summary>Reads the BFD packet of a hello; false for anything malformed or of another channel type.</summary>
    public static bool TryRead(ReadOnlySpan<byte> frame, out BfdControlPacket packet)
    {
        packet = default;
        if (frame.Length < Size || !MplsLabelStackEntry.TryRead(frame, out var gal) || !gal.BottomOfStack)
        {
            return false;
        }

        var channelHeader = BinaryPrimitives.ReadUInt32BigEndian(frame[MplsLabelStackEntry.Size..]);
        return channelHeader == ((AssociatedChannelFirstNibble << 28) | BfdContinuityCheckChannelType)
            && BfdControlPacket.TryRead(frame[(MplsLabelStackEntry.Size + AssociatedChannelHeaderSize)..], out packet);
    }
}
