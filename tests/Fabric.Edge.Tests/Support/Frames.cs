using Sdn.Common.Packets;

namespace Sdn.Fabric.Edge.Tests.Support;

/// <summary>
/// Frames built with the packet library's <see cref="FrameBuilder"/>, which computes every length and
/// checksum from scratch: a rewritten frame is right when it equals the frame built with the new values.
/// </summary>
public static class Frames
{
    public const uint SourceIp = 0x0A_00_00_01;
    public const uint DestinationIp = 0x0A_00_01_09;

    public static byte[] Udp(
        uint source = SourceIp,
        uint destination = DestinationIp,
        ushort sourcePort = 1000,
        ushort destinationPort = 2000,
        byte ttl = 64,
        byte dscp = 0,
        ulong ethSrc = Keys.MacA,
        ulong ethDst = Keys.MacB,
        ushort? vlan = null,
        uint? mplsLabel = null,
        int payload = 18,
        ushort? serviceVlan = null) =>
        Build((ref FrameBuilder b) =>
        {
            var ipType = mplsLabel is null ? EtherTypes.Ipv4 : EtherTypes.MplsUnicast;
            b.Ethernet(ethDst, ethSrc, serviceVlan is not null ? EtherTypes.ServiceVlan : vlan is null ? ipType : EtherTypes.Vlan);
            if (serviceVlan is { } outer)
            {
                b.Vlan(outer, vlan is null ? ipType : EtherTypes.Vlan);
            }

            if (vlan is { } vid)
            {
                b.Vlan(vid, ipType);
            }

            if (mplsLabel is { } label)
            {
                var entries = new[] { new MplsLabelStackEntry(label, 0, true, ttl) };
                b.Mpls(entries);
            }

            b.Ipv4(source, destination, IpProtocols.Udp, ttl, dscp: dscp);
            b.Udp(sourcePort, destinationPort);
            b.Payload(new byte[payload]);
        });

    public static byte[] Udp6(UInt128 source, UInt128 destination, byte hopLimit = 64, ushort sourcePort = 1000, ushort destinationPort = 2000) =>
        Build((ref FrameBuilder b) =>
        {
            b.Ethernet(Keys.MacB, Keys.MacA, EtherTypes.Ipv6);
            b.Ipv6(source, destination, IpProtocols.Udp, hopLimit);
            b.Udp(sourcePort, destinationPort);
            b.Payload(new byte[10]);
        });

    public static byte[] Tcp(uint source = SourceIp, uint destination = DestinationIp, ushort destinationPort = 80) =>
        Build((ref FrameBuilder b) =>
        {
            b.Ethernet(Keys.MacB, Keys.MacA, EtherTypes.Ipv4);
            b.Ipv4(source, destination, IpProtocols.Tcp);
            b.Tcp(40000, destinationPort, 1, 0, TcpHeader.Syn);
        });

    /// <summary>A TCP segment with <paramref name="flags"/> (<see cref="TcpHeader.Syn"/> and the like).</summary>
    public static byte[] TcpSegment(uint source, uint destination, ushort sourcePort, ushort destinationPort, byte flags) =>
        Build((ref FrameBuilder b) =>
        {
            b.Ethernet(Keys.MacB, Keys.MacA, EtherTypes.Ipv4);
            b.Ipv4(source, destination, IpProtocols.Tcp);
            b.Tcp(sourcePort, destinationPort, 1, 0, flags);
        });

    public static byte[] Tcp6Segment(UInt128 source, UInt128 destination, ushort sourcePort, ushort destinationPort, byte flags) =>
        Build((ref FrameBuilder b) =>
        {
            b.Ethernet(Keys.MacB, Keys.MacA, EtherTypes.Ipv6);
            b.Ipv6(source, destination, IpProtocols.Tcp);
            b.Tcp(sourcePort, destinationPort, 1, 0, flags);
        });

    /// <summary>An ICMP echo request (type 8) or reply (type 0); ICMPv6's when <paramref name="ipv6"/>, with types 128 and 129.</summary>
    public static byte[] Echo(UInt128 source, UInt128 destination, byte type, ushort identifier, bool ipv6 = false) =>
        Build((ref FrameBuilder b) =>
        {
            b.Ethernet(Keys.MacB, Keys.MacA, ipv6 ? EtherTypes.Ipv6 : EtherTypes.Ipv4);
            if (ipv6)
            {
                b.Ipv6(source, destination, IpProtocols.Icmpv6);
            }
            else
            {
                b.Ipv4((uint)source, (uint)destination, IpProtocols.Icmp);
            }

            b.IcmpEcho(type, identifier, 1);
        });

    /// <summary>
    /// An ICMP error (<paramref name="type"/>, <paramref name="code"/>) from <paramref name="source"/> to
    /// <paramref name="destination"/> that quotes <paramref name="quoted"/>'s IP header and 8 bytes after it, with its
    /// checksum.
    /// </summary>
    public static byte[] IcmpError(uint source, uint destination, byte type, byte code, byte[] quoted) =>
        Build((ref FrameBuilder b) =>
        {
            b.Ethernet(Keys.MacB, Keys.MacA, EtherTypes.Ipv4);
            b.Ipv4(source, destination, IpProtocols.Icmp);
            var body = IcmpErrorBody(type, code, quoted[EthernetHeader.Size..(EthernetHeader.Size + 28)]);
            InternetChecksum.Store(body, 2);
            b.Payload(body);
        });

    /// <summary>As <see cref="IcmpError"/> for ICMPv6: the quoted IPv6 header and 8 bytes after it, with the checksum over its pseudo-header.</summary>
    public static byte[] Icmp6Error(UInt128 source, UInt128 destination, byte type, byte code, byte[] quoted) =>
        Build((ref FrameBuilder b) =>
        {
            b.Ethernet(Keys.MacB, Keys.MacA, EtherTypes.Ipv6);
            b.Ipv6(source, destination, IpProtocols.Icmpv6);
            var body = IcmpErrorBody(type, code, quoted[EthernetHeader.Size..(EthernetHeader.Size + 48)]);
            InternetChecksum.Store(body, 2, InternetChecksum.PseudoHeaderSum(source, destination, IpProtocols.Icmpv6, body.Length));
            b.Payload(body);
        });

    public static byte[] Arp(ushort operation, ulong senderMac, uint senderIp, ulong targetMac, uint targetIp, ulong ethDst) =>
        Build((ref FrameBuilder b) =>
        {
            b.Ethernet(ethDst, senderMac, EtherTypes.Arp);
            b.Arp(operation, senderMac, senderIp, targetMac, targetIp);
        });

    /// <summary>
    /// An ICMPv6 neighbour solicitation or advertisement from <paramref name="ethSrc"/>, with a link-layer address option
    /// holding <paramref name="optionMac"/> unless <paramref name="linkLayerOption"/> is 0.
    /// </summary>
    public static byte[] Neighbor(
        byte type, ulong ethSrc, ulong ethDst, UInt128 source, UInt128 destination, UInt128 target, uint flags = 0, byte linkLayerOption = 0, ulong optionMac = 0, byte hopLimit = NeighborMessage.HopLimit) =>
        Build((ref FrameBuilder b) =>
        {
            b.Ethernet(ethDst, ethSrc, EtherTypes.Ipv6);
            b.Ipv6(source, destination, IpProtocols.Icmpv6, hopLimit);
            b.Neighbor(type, flags, target, linkLayerOption, optionMac);
        });

    /// <summary>An IPv4 frame cut off in the middle of its IP header.</summary>
    public static byte[] TruncatedIpv4() => Udp()[..24];

    private static byte[] IcmpErrorBody(byte type, byte code, byte[] quoted)
    {
        var body = new byte[8 + quoted.Length];
        body[0] = type;
        body[1] = code;
        quoted.CopyTo(body, 8);
        return body;
    }

    private delegate void Composer(ref FrameBuilder builder);

    private static byte[] Build(Composer compose)
    {
        var buffer = new byte[PacketBurst.MaxSuperFrameLength];
        var builder = new FrameBuilder(buffer);
        compose(ref builder);
        Assert.True(builder.TryFinish(out var length));
        return buffer[..length];
    }
}
