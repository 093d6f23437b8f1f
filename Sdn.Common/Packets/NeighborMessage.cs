using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Sdn.Common.Packets;

/// <summary>
/// An ICMPv6 neighbour solicitation or advertisement (RFC 4861 §4.3, §4.4): the ICMPv6 header, a word of
/// flags (advertisements) or reserved bits (solicitations), the target address, then options.
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |     Type      |     Code      |          Checksum             |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |R|S|O|                     Reserved                            |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                                                               |
/// +                       Target Address                          +
/// |                        (128 bits)                             |
/// +                                                               +
/// |                                                               |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |   Options ...
/// +-+-+-+-+-+-+-+-+-+-+-+-
/// </code>
/// A link-layer address option (§4.6.1) is type 1 (source) or 2 (target), length 1 (in 8-byte units), then the MAC.
/// </summary>
public readonly ref struct NeighborMessage
{
    public const byte Solicitation = 135;
    public const byte Advertisement = 136;
    public const int TargetOffset = 8;

    /// <summary>The header and target, without options.</summary>
    public const int MinimumSize = 24;

    /// <summary>The header and target with one link-layer address option.</summary>
    public const int SizeWithLinkLayerOption = MinimumSize + LinkLayerOptionSize;

    public const byte SourceLinkLayerAddressOption = 1;
    public const byte TargetLinkLayerAddressOption = 2;

    /// <summary>Every neighbour discovery message is sent with hop limit 255, and one received with less is discarded (§7.1.1).</summary>
    public const byte HopLimit = 255;

    public const uint RouterFlag = 0x8000_0000;
    public const uint SolicitedFlag = 0x4000_0000;
    public const uint OverrideFlag = 0x2000_0000;

    private const int LinkLayerOptionSize = 8;

    private readonly ReadOnlySpan<byte> _message;

    private NeighborMessage(ReadOnlySpan<byte> message) => _message = message;

    public byte Type => _message[0];

    public byte Code => _message[1];

    public UInt128 Target => BinaryPrimitives.ReadUInt128BigEndian(_message[TargetOffset..]);

    /// <summary>True for ICMPv6 types 135 and 136, the messages that carry a target.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool HasTarget(byte icmpType) => icmpType is Solicitation or Advertisement;

    /// <summary><paramref name="message"/> is the whole ICMPv6 message; truncated when it ends before the target.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ParseStatus Parse(ReadOnlySpan<byte> message, out NeighborMessage parsed)
    {
        parsed = new NeighborMessage(message);
        return message.Length < MinimumSize ? ParseStatus.Truncated : ParseStatus.Ok;
    }

    /// <summary>
    /// Writes a solicitation or advertisement with a zero checksum (see <see cref="InternetChecksum.Store"/>) and, unless
    /// <paramref name="linkLayerOption"/> is 0, one link-layer address option of that type holding <paramref name="mac"/>.
    /// </summary>
    public static bool TryWrite(Span<byte> destination, byte type, uint flags, UInt128 target, byte linkLayerOption = 0, ulong mac = 0)
    {
        if (destination.Length < (linkLayerOption == 0 ? MinimumSize : SizeWithLinkLayerOption))
        {
            return false;
        }

        destination[0] = type;
        destination[1] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(destination[IcmpHeader.ChecksumOffset..], 0);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], flags);
        BinaryPrimitives.WriteUInt128BigEndian(destination[TargetOffset..], target);
        if (linkLayerOption != 0)
        {
            destination[MinimumSize] = linkLayerOption;
            destination[MinimumSize + 1] = LinkLayerOptionSize / 8;
            EthernetHeader.WriteMac(destination[(MinimumSize + 2)..], mac);
        }

        return true;
    }
}
