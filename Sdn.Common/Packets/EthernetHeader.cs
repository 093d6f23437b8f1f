using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Sdn.Common.Packets;

/// <summary>
/// An Ethernet II header. MAC addresses are handled as 48-bit numbers in host order
/// (00:11:22:33:44:55 is 0x001122334455), as the flow key holds them.
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                     Destination MAC address                   |
/// +                               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                               |                               |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               +
/// |                       Source MAC address                      |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |           EtherType           |  payload (or an 802.1Q tag) ...
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// </summary>
public readonly ref struct EthernetHeader
{
    public const int Size = 14;
    public const int EtherTypeOffset = 12;
    public const ulong Broadcast = 0xFFFF_FFFF_FFFF;

    private readonly ReadOnlySpan<byte> _frame;

    private EthernetHeader(ReadOnlySpan<byte> frame) => _frame = frame;

    public ulong Destination => ReadMac(_frame);

    public ulong Source => ReadMac(_frame[6..]);

    public ushort EtherType => BinaryPrimitives.ReadUInt16BigEndian(_frame[EtherTypeOffset..]);

    /// <summary>Everything after the header: a VLAN tag or the EtherType's payload.</summary>
    public ReadOnlySpan<byte> Payload => _frame[Size..];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ParseStatus Parse(ReadOnlySpan<byte> frame, out EthernetHeader header)
    {
        header = new EthernetHeader(frame);
        return frame.Length < Size ? ParseStatus.Truncated : ParseStatus.Ok;
    }

    public static bool TryWrite(Span<byte> destination, ulong destinationMac, ulong sourceMac, ushort etherType)
    {
        if (destination.Length < Size)
        {
            return false;
        }

        WriteMac(destination, destinationMac);
        WriteMac(destination[6..], sourceMac);
        BinaryPrimitives.WriteUInt16BigEndian(destination[EtherTypeOffset..], etherType);
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong ReadMac(ReadOnlySpan<byte> bytes) =>
        ((ulong)BinaryPrimitives.ReadUInt16BigEndian(bytes) << 32) | BinaryPrimitives.ReadUInt32BigEndian(bytes[2..]);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void WriteMac(Span<byte> bytes, ulong mac)
    {
        BinaryPrimitives.WriteUInt16BigEndian(bytes, (ushort)(mac >> 32));
        BinaryPrimitives.WriteUInt32BigEndian(bytes[2..], (uint)mac);
    }
}
