namespace Sdn.Common.Packets;

/// <summary>The protocol layers the packet library parses, outermost first.</summary>
public enum PacketLayer : byte
{
    None,
    Ethernet,
    Vlan,
    Mpls,
    Arp,
    Ipv4,
    Ipv6,
    Ipv6Extension,
    Icmp,
    Icmpv6,
    Udp,
    Tcp,
}
