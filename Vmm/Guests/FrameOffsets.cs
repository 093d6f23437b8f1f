namespace Sdn.Vmm.Guests;

/// <summary>
/// Byte offsets into an untagged Ethernet frame carrying ARP, IPv4 (20-byte header) with ICMP or UDP, or IPv6
/// (no extension headers) with ICMPv6, and the 16-bit constants as a little-endian load of the big-endian wire
/// bytes sees them.
/// </summary>
internal static class FrameOffsets
{
    public const int EthDestination = 0;
    public const int EthSource = 6;
    public const int EthType = 12;

    public const int ArpHardwareType = 14;
    public const int ArpSizes = 18;
    public const int ArpOperation = 20;
    public const int ArpSenderMac = 22;
    public const int ArpSenderIp = 28;
    public const int ArpTargetMac = 32;
    public const int ArpTargetIp = 38;

    public const int Ip = 14;
    public const int IpTotalLength = 16;
    public const int IpTtl = 22;
    public const int IpProtocol = 23;
    public const int IpChecksum = 24;
    public const int IpSource = 26;
    public const int IpDestination = 30;
    public const int IpHeaderLength = 20;
    public const int IpAddressLength = 4;

    public const int L4 = 34;
    public const int IcmpType = 34;
    public const int IcmpChecksum = 36;
    public const int IcmpIdentifier = 38;
    public const int IcmpSequence = 40;
    public const int UdpSourcePort = 34;
    public const int UdpDestinationPort = 36;
    public const int UdpLength = 38;
    public const int UdpChecksum = 40;
    public const int Payload = 42;

    public const int Ipv6NextHeader = 20;
    public const int Ipv6HopLimit = 21;
    public const int Ipv6Source = 22;
    public const int Ipv6Destination = 38;
    public const int Ipv6AddressLength = 16;
    public const int Icmpv6Type = 54;
    public const int Icmpv6Checksum = 56;

    public const int MinimumFrame = 60;

    // Little-endian views of wire constants.
    public const short EtherTypeArp = 0x0608;
    public const short EtherTypeIpv4 = 0x0008;
    public const short EtherTypeIpv6 = unchecked((short)0xDD86);
    public const short ArpRequest = 0x0100;
    public const short ArpReply = 0x0200;
    public const int ArpEthernetIpv4 = 0x0008_0100; // htype 1, ptype 0x0800
    public const short ArpMacIpSizes = 0x0406; // hlen 6, plen 4
    public const byte ProtocolIcmp = 1;
    public const byte ProtocolUdp = 17;
    public const byte IcmpEchoRequest = 8;
    public const byte IcmpEchoReply = 0;
    public const byte ProtocolIcmpv6 = 58;
    public const byte Icmpv6EchoRequest = 128;
    public const byte Icmpv6EchoReply = 129;
}
