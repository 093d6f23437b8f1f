using Sdn.Common.Packets;

namespace Sdn.Fabric.Edge.Nat;

/// <summary>Where a NAT rewrite finds, in a transport header, what it changes: the same for IPv4 and IPv6.</summary>
internal static class TranslatedFields
{
    public const int IcmpChecksumOffset = 2;
    public const int IcmpHeaderSize = 8;
    private const int IcmpIdentifierOffset = 4;

    /// <summary>
    /// For a <paramref name="protocol"/> header: the offset of what a translation of <paramref name="side"/> changes
    /// (TCP's or UDP's port, or the identifier of an echo of <paramref name="echoProtocol"/>, ICMP or ICMPv6), the offset
    /// of the checksum, and the bytes the header takes; a port offset of -1 for a protocol NAT leaves alone.
    /// </summary>
    public static (int Port, int Checksum, int HeaderSize) Of(byte protocol, byte echoProtocol, NatSide side) => protocol switch
    {
        IpProtocols.Tcp => (side == NatSide.Source ? 0 : 2, TcpHeader.ChecksumOffset, TcpHeader.MinimumSize),
        IpProtocols.Udp => (side == NatSide.Source ? 0 : 2, UdpHeader.ChecksumOffset, UdpHeader.Size),
        _ when protocol == echoProtocol => (IcmpIdentifierOffset, IcmpChecksumOffset, IcmpHeaderSize),
        _ => (-1, -1, 0),
    };

    /// <summary>Where a quoted packet's source port (an echo's identifier) and transport checksum lie, from its transport header at <paramref name="transport"/>; -1 for neither.</summary>
    public static (int PortAt, int ChecksumAt) InQuote(byte protocol, byte echoProtocol, int transport)
    {
        var (port, checksum, _) = Of(protocol, echoProtocol, NatSide.Source);
        return port < 0 ? (-1, -1) : (transport + port, transport + checksum);
    }
}
