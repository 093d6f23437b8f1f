using Sdn.Common.Packets;

namespace Sdn.Common.Tests.Packets;

internal delegate void FrameComposer(ref FrameBuilder builder);

internal enum Encapsulation
{
    None,
    Vlan,
    QinQ,
    QinQWithTwo8100Tags,
    Mpls,
}

internal enum NetworkLayer
{
    Ipv4,
    Ipv4WithOptions,
    Ipv6,
    Ipv6WithExtensions,
}

internal enum Transport
{
    Tcp,
    Udp,
    IcmpEcho,
}

/// <summary>One frame of the catalogue, with the values it was built from.</summary>
internal sealed record TestFrame(string Name, Encapsulation Encapsulation, NetworkLayer Network, Transport Transport, byte[] Bytes)
{
    public bool IsIpv6 => Network is NetworkLayer.Ipv6 or NetworkLayer.Ipv6WithExtensions;

    public override string ToString() => Name;
}

/// <summary>Frames built with <see cref="FrameBuilder"/> from a fixed set of field values, shared by the packet tests.</summary>
internal static class TestFrames
{
    public const ulong SourceMac = 0x02_00_5E_10_00_01;
    public const ulong DestinationMac = 0x02_00_5E_10_00_02;
    public const uint SourceIpv4 = 0x0A_00_00_01;
    public const uint DestinationIpv4 = 0xC0_A8_01_FE;
    public const ushort OuterVlanId = 100;
    public const ushort VlanId = 42;
    public const byte VlanPriority = 5;
    public const byte Ttl = 61;
    public const byte Dscp = 46;
    public const byte Ecn = 1;
    public const ushort SourcePort = 49152;
    public const ushort DestinationPort = 50000;
    public const uint TcpSequence = 0x01020304;
    public const ushort IcmpIdentifier = 0x1234;
    public const ushort IcmpSequence = 7;
    public static readonly UInt128 SourceIpv6 = new(0x2001_0DB8_0000_0001, 0x0000_0000_0000_0001);
    public static readonly UInt128 DestinationIpv6 = new(0xFE80_0000_0000_0000, 0x0200_5EFF_FE10_0002);
    public static readonly byte[] Payload = "sdn-payload!"u8.ToArray();

    /// <summary>Three labels: transport, service, and an entropy-ish third; the last one is the bottom.</summary>
    public static readonly MplsLabelStackEntry[] Labels =
    [
        new(Label: 1000, TrafficClass: 3, BottomOfStack: false, Ttl: 250),
        new(Label: 0xABCDE, TrafficClass: 0, BottomOfStack: false, Ttl: 64),
        new(Label: 16, TrafficClass: 7, BottomOfStack: true, Ttl: 1),
    ];

    public static ushort OuterTci => VlanTag.MakeTci(OuterVlanId, priority: 1);

    public static ushort Tci => VlanTag.MakeTci(VlanId, VlanPriority);

    /// <summary>Every combination of encapsulation, network and transport layer.</summary>
    public static IEnumerable<TestFrame> Catalogue() =>
        from encapsulation in Enum.GetValues<Encapsulation>()
        from network in Enum.GetValues<NetworkLayer>()
        from transport in Enum.GetValues<Transport>()
        select new TestFrame($"{encapsulation}/{network}/{transport}", encapsulation, network, transport, Build(encapsulation, network, transport));

    public static byte[] Build(Encapsulation encapsulation, NetworkLayer network, Transport transport) =>
        Build((ref FrameBuilder b) =>
        {
            var isIpv6 = network is NetworkLayer.Ipv6 or NetworkLayer.Ipv6WithExtensions;
            var etherType = isIpv6 ? EtherTypes.Ipv6 : EtherTypes.Ipv4;
            AppendL2(ref b, encapsulation, etherType);
            var protocol = transport switch
            {
                Transport.Tcp => IpProtocols.Tcp,
                Transport.Udp => IpProtocols.Udp,
                _ => isIpv6 ? IpProtocols.Icmpv6 : IpProtocols.Icmp,
            };
            AppendNetwork(ref b, network, protocol);
            switch (transport)
            {
                case Transport.Tcp:
                    b.Tcp(SourcePort, DestinationPort, TcpSequence, 0, TcpHeader.Syn | TcpHeader.Ack, options: [2, 4, 0x05, 0xB4]);
                    break;
                case Transport.Udp:
                    b.Udp(SourcePort, DestinationPort);
                    break;
                default:
                    b.IcmpEcho(isIpv6 ? IcmpHeader.Icmpv6EchoRequest : IcmpHeader.EchoRequest, IcmpIdentifier, IcmpSequence);
                    break;
            }

            b.Payload(Payload);
        });

    public static byte[] Arp(Encapsulation encapsulation = Encapsulation.None) =>
        Build((ref FrameBuilder b) =>
        {
            AppendL2(ref b, encapsulation, EtherTypes.Arp);
            b.Arp(ArpPacket.Request, SourceMac, SourceIpv4, 0, DestinationIpv4);
        });

    /// <summary>A UDP datagram's fragment; a later fragment carries part of the payload, not the UDP header.</summary>
    public static byte[] Fragment(bool ipv6, bool later) =>
        Build((ref FrameBuilder b) =>
        {
            b.Ethernet(DestinationMac, SourceMac, ipv6 ? EtherTypes.Ipv6 : EtherTypes.Ipv4);
            ushort offset = later ? (ushort)4 : (ushort)0;
            if (ipv6)
            {
                b.Ipv6(SourceIpv6, DestinationIpv6, IpProtocols.Ipv6Fragment, Ttl);
                b.Ipv6Fragment(IpProtocols.Udp, offset, moreFragments: !later, identification: 0xCAFE);
            }
            else
            {
                b.Ipv4(SourceIpv4, DestinationIpv4, IpProtocols.Udp, Ttl, identification: 0xCAFE, moreFragments: !later, fragmentOffset: offset);
            }

            if (!later)
            {
                b.Udp(SourcePort, DestinationPort);
            }

            b.Payload(Payload);
        });

    public static byte[] Build(FrameComposer compose)
    {
        var buffer = new byte[PacketBurst.MaxFrameLength];
        var builder = new FrameBuilder(buffer);
        compose(ref builder);
        Assert.True(builder.TryFinish(out var length));
        return buffer[..length];
    }

    private static void AppendL2(ref FrameBuilder b, Encapsulation encapsulation, ushort etherType)
    {
        switch (encapsulation)
        {
            case Encapsulation.Vlan:
                b.Ethernet(DestinationMac, SourceMac, EtherTypes.Vlan);
                b.Vlan(Tci, etherType);
                break;
            case Encapsulation.QinQ or Encapsulation.QinQWithTwo8100Tags:
                b.Ethernet(DestinationMac, SourceMac, encapsulation == Encapsulation.QinQ ? EtherTypes.ServiceVlan : EtherTypes.Vlan);
                b.Vlan(OuterTci, EtherTypes.Vlan);
                b.Vlan(Tci, etherType);
                break;
            case Encapsulation.Mpls:
                b.Ethernet(DestinationMac, SourceMac, EtherTypes.MplsUnicast);
                b.Mpls(Labels);
                break;
            default:
                b.Ethernet(DestinationMac, SourceMac, etherType);
                break;
        }
    }

    private static void AppendNetwork(ref FrameBuilder b, NetworkLayer network, byte protocol)
    {
        switch (network)
        {
            case NetworkLayer.Ipv4:
                b.Ipv4(SourceIpv4, DestinationIpv4, protocol, Ttl, identification: 0x4242, dscp: Dscp, ecn: Ecn, dontFragment: true);
                break;
            case NetworkLayer.Ipv4WithOptions:
                // Record route with room for one address, then an end-of-options byte.
                b.Ipv4(SourceIpv4, DestinationIpv4, protocol, Ttl, dscp: Dscp, ecn: Ecn, options: [7, 7, 4, 0, 0, 0, 0, 0]);
                break;
            case NetworkLayer.Ipv6:
                b.Ipv6(SourceIpv6, DestinationIpv6, protocol, Ttl, trafficClass: (Dscp << 2) | Ecn, flowLabel: 0xBEEF);
                break;
            default:
                b.Ipv6(SourceIpv6, DestinationIpv6, IpProtocols.Ipv6HopByHop, Ttl, trafficClass: (Dscp << 2) | Ecn);
                b.Ipv6PaddingOptions(IpProtocols.Ipv6DestinationOptions);
                b.Ipv6PaddingOptions(protocol);
                break;
        }
    }
}
