using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Sdn.Common.Packets;

/// <summary>
/// The header every ICMPv4 (RFC 792) and ICMPv6 (RFC 4443) message starts with; for echo request and
/// reply the second word holds the identifier and sequence number.
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |     Type      |     Code      |          Checksum             |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |     Identifier (echo)         |    Sequence Number (echo)     |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |     Data ...
/// +-+-+-+-+-
/// </code>
/// The ICMPv4 checksum covers the message; the ICMPv6 one also covers the IPv6 pseudo-header.
/// </summary>
public readonly ref struct IcmpHeader
{
    public const int Size = 8;
    public const int ChecksumOffset = 2;
    public const byte EchoReply = 0;
    public const byte EchoRequest = 8;
    public const byte Icmpv6EchoRequest = 128;
    public const byte Icmpv6EchoReply = 129;

    private readonly ReadOnlySpan<byte> _message;

    private IcmpHeader(ReadOnlySpan<byte> message) => _message = message;

    public byte Type => _message[0];

    public byte Code => _message[1];

    public ushort Checksum => BinaryPrimitives.ReadUInt16BigEndian(_message[ChecksumOffset..]);

    public ushort Identifier => BinaryPrimitives.ReadUInt16BigEndian(_message[4..]);

    public ushort SequenceNumber => BinaryPrimitives.ReadUInt16BigEndian(_message[6..]);

    public ReadOnlySpan<byte> Payload => _message[Size..];

    /// <summary>True when the checksum of the message, plus <paramref name="pseudoHeaderSum"/> for ICMPv6, verifies.</summary>
    public bool IsChecksumValid(ulong pseudoHeaderSum = 0) => InternetChecksum.Verify(_message, pseudoHeaderSum);

    /// <summary><paramref name="message"/> is the whole ICMP message, as its IP header delimits it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ParseStatus Parse(ReadOnlySpan<byte> message, out IcmpHeader header)
    {
        header = new IcmpHeader(message);
        return message.Length < Size ? ParseStatus.Truncated : ParseStatus.Ok;
    }

    /// <summary>Writes an echo header with a zero checksum; see <see cref="InternetChecksum.Store"/>.</summary>
    public static bool TryWriteEcho(Span<byte> destination, byte type, ushort identifier, ushort sequenceNumber)
    {
        if (destination.Length < Size)
        {
            return false;
        }

        destination[0] = type;
        destination[1] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(destination[ChecksumOffset..], 0);
        BinaryPrimitives.WriteUInt16BigEndian(destination[4..], identifier);
        BinaryPrimitives.WriteUInt16BigEndian(destination[6..], sequenceNumber);
        return true;
    }
}
