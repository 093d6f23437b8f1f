using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Sdn.Common.Packets;

/// <summary>
/// The fixed IPv6 header (RFC 8200 §3). Addresses are 128-bit numbers in host order, as the flow key holds them.
/// The payload is cut at the payload length; jumbograms (payload length 0 with a Jumbo option) are not supported.
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |Version| Traffic Class |              Flow Label               |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |         Payload Length        |  Next Header  |   Hop Limit   |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                                                               |
/// +                  Source Address (128 bits)                    +
/// |                                                               |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                                                               |
/// +                Destination Address (128 bits)                 +
/// |                                                               |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// The traffic class holds the DSCP in its upper six bits and the ECN in the lower two.
/// </summary>
public readonly ref struct Ipv6Header
{
    public const int Size = 40;
    public const int PayloadLengthOffset = 4;
    public const int NextHeaderOffset = 6;
    public const int HopLimitOffset = 7;
    public const int SourceOffset = 8;
    public const int DestinationOffset = 24;

    private readonly ReadOnlySpan<byte> _packet;

    private Ipv6Header(ReadOnlySpan<byte> packet) => _packet = packet;

    public byte TrafficClass => (byte)(BinaryPrimitives.ReadUInt16BigEndian(_packet) >> 4);

    public byte Dscp => (byte)(TrafficClass >> 2);

    public byte Ecn => (byte)(TrafficClass & 0x3);

    public uint FlowLabel => BinaryPrimitives.ReadUInt32BigEndian(_packet) & 0xF_FFFF;

    public ushort PayloadLength => BinaryPrimitives.ReadUInt16BigEndian(_packet[PayloadLengthOffset..]);

    public byte NextHeader => _packet[NextHeaderOffset];

    public byte HopLimit => _packet[HopLimitOffset];

    public UInt128 Source => BinaryPrimitives.ReadUInt128BigEndian(_packet[SourceOffset..]);

    public UInt128 Destination => BinaryPrimitives.ReadUInt128BigEndian(_packet[DestinationOffset..]);

    /// <summary>Extension headers and the upper-layer packet, up to the payload length.</summary>
    public ReadOnlySpan<byte> Payload => _packet[Size..(Size + PayloadLength)];

    /// <summary>Truncated when the bytes end before the header or the payload length; malformed when the version is not 6.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ParseStatus Parse(ReadOnlySpan<byte> packet, out Ipv6Header header)
    {
        header = default;
        if (packet.Length < Size)
        {
            return ParseStatus.Truncated;
        }

        if (packet[0] >> 4 != 6)
        {
            return ParseStatus.Malformed;
        }

        if (packet.Length < Size + BinaryPrimitives.ReadUInt16BigEndian(packet[PayloadLengthOffset..]))
        {
            return ParseStatus.Truncated;
        }

        header = new Ipv6Header(packet);
        return ParseStatus.Ok;
    }

    public static bool TryWrite(
        Span<byte> destination,
        UInt128 source,
        UInt128 destinationAddress,
        byte nextHeader,
        int payloadLength,
        byte hopLimit = 64,
        byte trafficClass = 0,
        uint flowLabel = 0)
    {
        if (destination.Length < Size || (uint)payloadLength > ushort.MaxValue)
        {
            return false;
        }

        BinaryPrimitives.WriteUInt32BigEndian(destination, (6u << 28) | ((uint)trafficClass << 20) | (flowLabel & 0xF_FFFF));
        BinaryPrimitives.WriteUInt16BigEndian(destination[PayloadLengthOffset..], (ushort)payloadLength);
        destination[NextHeaderOffset] = nextHeader;
        destination[HopLimitOffset] = hopLimit;
        BinaryPrimitives.WriteUInt128BigEndian(destination[SourceOffset..], source);
        BinaryPrimitives.WriteUInt128BigEndian(destination[DestinationOffset..], destinationAddress);
        return true;
    }
}
