using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Sdn.Common.Packets;

/// <summary>
/// A TCP header with its options (RFC 9293 §3.1).
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |          Source Port          |       Destination Port        |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                        Sequence Number                        |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                    Acknowledgment Number                      |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |  Data |       |C|E|U|A|P|R|S|F|                               |
/// | Offset| Rsrvd |W|C|R|C|S|S|Y|I|            Window             |
/// |       |       |R|E|G|K|H|T|N|N|                               |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |           Checksum            |         Urgent Pointer        |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                    Options (Data Offset > 5) ...              |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// The data offset counts 32-bit words. The checksum covers the pseudo-header, the header and the payload.
/// </summary>
public readonly ref struct TcpHeader
{
    public const int MinimumSize = 20;
    public const int MaximumSize = 60;
    public const int ChecksumOffset = 16;
    public const byte Fin = 0x01;
    public const byte Syn = 0x02;
    public const byte Rst = 0x04;
    public const byte Psh = 0x08;
    public const byte Ack = 0x10;
    public const byte Urg = 0x20;

    private readonly ReadOnlySpan<byte> _segment;

    private TcpHeader(ReadOnlySpan<byte> segment, int headerLength)
    {
        _segment = segment;
        HeaderLength = headerLength;
    }

    /// <summary>The header length in bytes, options included.</summary>
    public int HeaderLength { get; }

    public ushort SourcePort => BinaryPrimitives.ReadUInt16BigEndian(_segment);

    public ushort DestinationPort => BinaryPrimitives.ReadUInt16BigEndian(_segment[2..]);

    public uint SequenceNumber => BinaryPrimitives.ReadUInt32BigEndian(_segment[4..]);

    public uint AcknowledgmentNumber => BinaryPrimitives.ReadUInt32BigEndian(_segment[8..]);

    /// <summary>The control bits CWR..FIN (see the constants).</summary>
    public byte Flags => _segment[13];

    public ushort Window => BinaryPrimitives.ReadUInt16BigEndian(_segment[14..]);

    public ushort Checksum => BinaryPrimitives.ReadUInt16BigEndian(_segment[ChecksumOffset..]);

    public ushort UrgentPointer => BinaryPrimitives.ReadUInt16BigEndian(_segment[18..]);

    public ReadOnlySpan<byte> Options => _segment[MinimumSize..HeaderLength];

    public ReadOnlySpan<byte> Payload => _segment[HeaderLength..];

    public bool IsChecksumValid(ulong pseudoHeaderSum) => InternetChecksum.Verify(_segment, pseudoHeaderSum);

    /// <summary>
    /// <paramref name="segment"/> is what the IP layer carries. Truncated when it ends before the header;
    /// malformed when the data offset is below 5.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ParseStatus Parse(ReadOnlySpan<byte> segment, out TcpHeader header)
    {
        header = default;
        if (segment.Length < MinimumSize)
        {
            return ParseStatus.Truncated;
        }

        var headerLength = (segment[12] >> 4) * 4;
        if (headerLength < MinimumSize)
        {
            return ParseStatus.Malformed;
        }

        if (segment.Length < headerLength)
        {
            return ParseStatus.Truncated;
        }

        header = new TcpHeader(segment, headerLength);
        return ParseStatus.Ok;
    }

    /// <summary>
    /// Writes a header with <paramref name="options"/> (a multiple of 4 bytes, at most 40) and a zero checksum;
    /// see <see cref="WriteChecksum"/>.
    /// </summary>
    public static bool TryWrite(
        Span<byte> destination,
        ushort sourcePort,
        ushort destinationPort,
        uint sequenceNumber,
        uint acknowledgmentNumber,
        byte flags,
        ushort window = 65535,
        ReadOnlySpan<byte> options = default)
    {
        var headerLength = MinimumSize + options.Length;
        if (options.Length % 4 != 0 || headerLength > MaximumSize || destination.Length < headerLength)
        {
            return false;
        }

        BinaryPrimitives.WriteUInt16BigEndian(destination, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], destinationPort);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], sequenceNumber);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], acknowledgmentNumber);
        destination[12] = (byte)(headerLength / 4 << 4);
        destination[13] = flags;
        BinaryPrimitives.WriteUInt16BigEndian(destination[14..], window);
        BinaryPrimitives.WriteUInt32BigEndian(destination[ChecksumOffset..], 0);
        options.CopyTo(destination[MinimumSize..]);
        return true;
    }

    /// <summary>Computes and stores the checksum of the whole <paramref name="segment"/>.</summary>
    public static void WriteChecksum(Span<byte> segment, ulong pseudoHeaderSum) =>
        InternetChecksum.Store(segment, ChecksumOffset, pseudoHeaderSum);
}
