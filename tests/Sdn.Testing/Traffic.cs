using System.Net;
using Sdn.Common.Packets;
using Sdn.Contracts;

namespace Sdn.Testing;

/// <summary>Frames between model ports, built with the packet library.</summary>
public static class Traffic
{
    public static ulong Mac(Port port) => Mac(port.Mac);

    public static ulong Mac(string mac) => Convert.ToUInt64(mac.Replace(":", string.Empty, StringComparison.Ordinal), 16);

    public static uint Ip(string address) => System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(IPAddress.Parse(address).GetAddressBytes());

    public static byte[] Udp(Port from, Port to, ushort destinationPort = 7) => Build((ref FrameBuilder b) =>
    {
        b.Ethernet(Mac(to), Mac(from), EtherTypes.Ipv4);
        b.Ipv4(Ip(from.Ipv4), Ip(to.Ipv4), IpProtocols.Udp);
        b.Udp(40000, destinationPort);
        b.Payload("fabric"u8);
    });

    public static byte[] Tcp(Port from, Port to, ushort destinationPort) => Tcp(from, Mac(to), to.Ipv4, destinationPort);

    /// <summary>A TCP SYN from <paramref name="from"/> to <paramref name="address"/>, sent to the MAC <paramref name="firstHop"/>.</summary>
    public static byte[] Tcp(Port from, ulong firstHop, string address, ushort destinationPort, byte ttl = 64) => Build((ref FrameBuilder b) =>
    {
        b.Ethernet(firstHop, Mac(from), EtherTypes.Ipv4);
        b.Ipv4(Ip(from.Ipv4), Ip(address), IpProtocols.Tcp, ttl);
        b.Tcp(40000, destinationPort, 1, 0, TcpHeader.Syn);
    });

    public static UInt128 Ip6(string address) => System.Buffers.Binary.BinaryPrimitives.ReadUInt128BigEndian(IPAddress.Parse(address).GetAddressBytes());

    /// <summary>A TCP SYN over IPv6 from <paramref name="from"/> to <paramref name="address"/>, sent to the MAC <paramref name="firstHop"/>.</summary>
    public static byte[] Tcp6(Port from, ulong firstHop, string address, ushort destinationPort) => Build((ref FrameBuilder b) =>
    {
        b.Ethernet(firstHop, Mac(from), EtherTypes.Ipv6);
        b.Ipv6(Ip6(from.Ipv6), Ip6(address), IpProtocols.Tcp);
        b.Tcp(40000, destinationPort, 1, 0, TcpHeader.Syn);
    });

    /// <summary>An ICMP echo request from <paramref name="from"/>'s MAC and address to <paramref name="to"/>'s.</summary>
    public static byte[] EchoRequest(Port from, Port to) => Build((ref FrameBuilder b) =>
    {
        b.Ethernet(Mac(to), Mac(from), EtherTypes.Ipv4);
        b.Ipv4(Ip(from.Ipv4), Ip(to.Ipv4), IpProtocols.Icmp);
        b.IcmpEcho(IcmpHeader.EchoRequest, 0x5350, 1);
        b.Payload("spoofed"u8);
    });

    /// <summary>A broadcast ARP request from <paramref name="from"/> for <paramref name="target"/>'s address.</summary>
    public static byte[] ArpRequest(Port from, string target) => Build((ref FrameBuilder b) =>
    {
        b.Ethernet(0xFFFF_FFFF_FFFF, Mac(from), EtherTypes.Arp);
        b.Arp(1, Mac(from), Ip(from.Ipv4), 0, Ip(target));
    });

    /// <summary>Writes one frame's headers and payload into a builder.</summary>
    public delegate void Compose(ref FrameBuilder builder);

    /// <summary>The frame <paramref name="compose"/> writes, at most 256 bytes.</summary>
    public static byte[] Build(Compose compose)
    {
        var buffer = new byte[256];
        var builder = new FrameBuilder(buffer);
        compose(ref builder);
        Assert.True(builder.TryFinish(out var length));
        return buffer[..length];
    }
}
