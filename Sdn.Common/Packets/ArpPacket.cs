using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Sdn.Common.Packets;

/// <summary>
/// An ARP packet for IPv4 over Ethernet (RFC 826), the only kind the fabric speaks.
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |      Hardware type (1)        |     Protocol type (0x0800)    |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |  HLEN (6)     |   PLEN (4)    |           Operation           |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |              Sender hardware address (bytes 0-3)              |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |     SHA (bytes 4-5)           |   Sender protocol address ... |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |   ... SPA                     |   Target hardware address ... |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |              ... THA (bytes 2-5)                              |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                   Target protocol address                     |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// </summary>
public readonly ref struct ArpPacket
{
    public const int Size = 28;
    public const ushort Request = 1;
    public const ushort Reply = 2;
    private const ushort EthernetHardwareType = 1;
    private const byte MacLength = 6;
    private const byte Ipv4Length = 4;

    private readonly ReadOnlySpan<byte> _bytes;

    private ArpPacket(ReadOnlySpan<byte> bytes) => _bytes = bytes;

    public ushort Operation => BinaryPrimitives.ReadUInt16BigEndian(_bytes[6..]);

    public ulong SenderHardwareAddress => EthernetHeader.ReadMac(_bytes[8..]);

    public uint SenderProtocolAddress => BinaryPrimitives.ReadUInt32BigEndian(_bytes[14..]);

    public ulong TargetHardwareAddress => EthernetHeader.ReadMac(_bytes[18..]);

    public uint TargetProtocolAddress => BinaryPrimitives.ReadUInt32BigEndian(_bytes[24..]);

    /// <summary>Malformed when the packet is ARP for anything but IPv4 over Ethernet.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ParseStatus Parse(ReadOnlySpan<byte> bytes, out ArpPacket packet)
    {
        packet = new ArpPacket(bytes);
        if (bytes.Length < Size)
        {
            return ParseStatus.Truncated;
        }

        // The first six bytes as one number: hardware type, protocol type, HLEN, PLEN.
        const ulong EthernetIpv4 = ((ulong)EthernetHardwareType << 32) | ((ulong)EtherTypes.Ipv4 << 16) | (MacLength << 8) | Ipv4Length;
        var prefix = ((ulong)BinaryPrimitives.ReadUInt16BigEndian(bytes) << 32) | BinaryPrimitives.ReadUInt32BigEndian(bytes[2..]);
        return prefix == EthernetIpv4 ? ParseStatus.Ok : ParseStatus.Malformed;
    }

    public static bool TryWrite(Span<byte> destination, ushort operation, ulong senderMac, uint senderIp, ulong targetMac, uint targetIp)
    {
        if (destination.Length < Size)
        {
            return false;
        }

        BinaryPrimitives.WriteUInt16BigEndian(destination, EthernetHardwareType);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], EtherTypes.Ipv4);
        destination[4] = MacLength;
        destination[5] = Ipv4Length;
        BinaryPrimitives.WriteUInt16BigEndian(destination[6..], operation);
        EthernetHeader.WriteMac(destination[8..], senderMac);
        BinaryPrimitives.WriteUInt32BigEndian(destination[14..], senderIp);
        EthernetHeader.WriteMac(destination[18..], targetMac);
        BinaryPrimitives.WriteUInt32BigEndian(destination[24..], targetIp);
        return true;
    }
}
