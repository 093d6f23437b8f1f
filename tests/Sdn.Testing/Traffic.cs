using System.Net;
using Sdn.Common.Packets;
using Sdn.Contracts;

namespace Sdn.Testing;

/// <summary>Frames between model ports, built with the packet library.</summary>
public static class Traffic
{
    public static ulong Mac(Port port) => Convert.ToUInt64(port.Mac.Replace(":", string.Empty, StringComparison.Ordinal), 16);

    public static uint Ip(string address) => System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(IPAddress.Parse(address).GetAddressBytes());

    public static byte[] Udp(Port from, Port to, ushort destinationPort = 7) => Build((ref FrameBuilder b) =>
    {
        b.Ethernet(Mac(to), Mac(from), EtherTypes.Ipv4);
        b.Ipv4(Ip(from.Ipv4), Ip(to.Ipv4), IpProtocols.Udp);
        b.Udp(40000, destinationPort);
        b.Payload("fabric"u8);
    });

    public static byte[] Tcp(Port from, Port to, ushort destinationPort) => Build((ref FrameBuilder b) =>
    {
        b.Ethernet(Mac(to), Mac(from), EtherTypes.Ipv4);
        b.Ipv4(Ip(from.Ipv4), Ip(to.Ipv4), IpProtocols.Tcp);
        b.Tcp(40000, destinationPort, 1, 0, TcpHeader.Syn);
    });

    /// <summary>A broadcast ARP request from <paramref name="from"/> for <paramref name="target"/>'s address.</summary>
    public static byte[] ArpRequest(Port from, string target) => Build((ref FrameBuilder b) =>
    {
        b.Ethernet(0xFFFF_FFFF_FFFF, Mac(from), EtherTypes.Arp);
        b.Arp(1, Mac(from), Ip(from.Ipv4), 0, Ip(target));
    });

    private delegate void Compose(ref FrameBuilder builder);

    private static byte[] Build(Compose compose)
    {
        var buffer = new byte[256];
        var builder = new FrameBuilder(buffer);
        compose(ref builder);
        Assert.True(builder.TryFinish(out var length));
        return buffer[..length];
    }
}
