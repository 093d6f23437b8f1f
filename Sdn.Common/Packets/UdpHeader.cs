using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Sdn.Common.Packets;

/// <summary>
/// A UDP header (RFC 768); the payload is cut at the UDP length.
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |          Source Port          |       Destination Port        |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |            Length             |           Checksum            |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// The checksum covers the pseudo-header, the header and the payload. Over IPv4 a zero checksum means
/// "none"; a computed zero is sent as 0xFFFF.
/// </summary>
public readonly ref struct UdpHeader
{
    public const int Size = 8;
    public const int LengthOffset = 4;
    public const int ChecksumOffset = 6;

    private readonly ReadOnlySpan<byte> _datagram;

    private UdpHeader(ReadOnlySpan<byte> datagram) => _datagram = datagram;

    public ushort SourcePort => BinaryPrimitives.ReadUInt16BigEndian(_datagram);

    public ushort DestinationPort => BinaryPrimitives.ReadUInt16BigEndian(_datagram[2..]);

    public ushort Length => BinaryPrimitives.ReadUInt16BigEndian(_datagram[LengthOffset..]);

    public ushort Checksum => BinaryPrimitives.ReadUInt16BigEndian(_datagram[ChecksumOffset..]);

    public ReadOnlySpan<byte> Payload => _datagram[Size..Length];

    /// <summary>True when the checksum verifies against <paramref name="pseudoHeaderSum"/>, or is absent (zero).</summary>
    public bool IsChecksumValid(ulong pseudoHeaderSum) =>
        Checksum == 0 || InternetChecksum.Verify(_datagram[..Length], pseudoHeaderSum);

    /// <summary>
    /// <paramref name="datagram"/> is what the IP layer carries. Truncated when it ends before the header or
    /// the UDP length; malformed when the UDP length is shorter than the header.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ParseStatus Parse(ReadOnlySpan<byte> datagram, out UdpHeader header)
    {
        header = default;
        if (datagram.Length < Size)
        {
            return ParseStatus.Truncated;
        }

        var length = BinaryPrimitives.ReadUInt16BigEndian(datagram[LengthOffset..]);
        if (length < Size)
        {
            return ParseStatus.Malformed;
        }

        if (datagram.Length < length)
        {
            return ParseStatus.Truncated;
        }

        header = new UdpHeader(datagram);
        return ParseStatus.Ok;
    }

    /// <summary>Writes a header with a zero checksum; see <see cref="WriteChecksum"/>.</summary>
    public static bool TryWrite(Span<byte> destination, ushort sourcePort, ushort destinationPort, int payloadLength)
    {
        if (destination.Length < Size || (uint)(Size + payloadLength) > ushort.MaxValue)
        {
            return false;
        }

        BinaryPrimitives.WriteUInt16BigEndian(destination, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], destinationPort);
        BinaryPrimitives.WriteUInt16BigEndian(destination[LengthOffset..], (ushort)(Size + payloadLength));
        BinaryPrimitives.WriteUInt16BigEndian(destination[ChecksumOffset..], 0);
        return true;
    }

    /// <summary>Computes and stores the checksum of the whole <paramref name="datagram"/>, a computed zero as 0xFFFF.</summary>
    public static void WriteChecksum(Span<byte> datagram, ulong pseudoHeaderSum)
    {
        if (InternetChecksum.Store(datagram, ChecksumOffset, pseudoHeaderSum) == 0)
        {
            BinaryPrimitives.WriteUInt16BigEndian(datagram[ChecksumOffset..], 0xFFFF);
        }
    }
}
