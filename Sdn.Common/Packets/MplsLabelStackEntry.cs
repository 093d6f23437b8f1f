using System.Buffers.Binary;

namespace Sdn.Common.Packets;

/// <summary>
/// One 32-bit MPLS label stack entry (RFC 3032 §2.1).
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                Label                  | TC  |S|       TTL     |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// </summary>
public readonly record struct MplsLabelStackEntry(uint Label, byte TrafficClass, bool BottomOfStack, byte Ttl)
{
    public const int Size = 4;
    public const uint MaxLabel = 0xF_FFFF;

    /// <summary>Labels 0–15 are reserved (RFC 3032 §2.1, RFC 7274).</summary>
    public const uint FirstUnreservedLabel = 16;

    public const uint IPv4ExplicitNullLabel = 0;
    public const uint RouterAlertLabel = 1;
    public const uint IPv6ExplicitNullLabel = 2;
    public const uint ImplicitNullLabel = 3;

    public uint Encoded =>
        ((Label & MaxLabel) << 12) | ((uint)(TrafficClass & 0x7) << 9) | (BottomOfStack ? 1u << 8 : 0u) | Ttl;

    public static MplsLabelStackEntry Decode(uint encoded) =>
        new(encoded >> 12, (byte)((encoded >> 9) & 0x7), ((encoded >> 8) & 1) != 0, (byte)encoded);

    /// <summary>Reads the entry at the start of <paramref name="bytes"/>; false when fewer than 4 bytes remain.</summary>
    public static bool TryRead(ReadOnlySpan<byte> bytes, out MplsLabelStackEntry entry)
    {
        if (bytes.Length < Size)
        {
            entry = default;
            return false;
        }

        entry = Decode(BinaryPrimitives.ReadUInt32BigEndian(bytes));
        return true;
    }

    /// <summary>Writes the entry at the start of <paramref name="bytes"/>; false when fewer than 4 bytes remain.</summary>
    public bool TryWrite(Span<byte> bytes)
    {
        if (bytes.Length < Size)
        {
            return false;
        }

        BinaryPrimitives.WriteUInt32BigEndian(bytes, Encoded);
        return true;
    }
}
