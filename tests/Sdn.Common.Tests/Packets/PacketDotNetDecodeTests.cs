using System.Net;
using PacketDotNet;

namespace Sdn.Common.Tests.Packets;

/// <summary>
/// Frames from our writers, decoded by PacketDotNet, a decoder nobody here wrote (beside tshark and scapy): the
/// addresses, ports, TTL and payload read back as written, and every checksum verifies. PacketDotNet decodes
/// Ethernet and 802.1Q but not QinQ or MPLS, so the catalogue's other encapsulations are tshark's and scapy's.
/// </summary>
public class PacketDotNetDecodeTests
{
    public static TheoryData<string> Frames() =>
        [.. TestFrames.Catalogue().Where(f => f.Encapsulation is Encapsulation.None or Encapsulation.Vlan).Select(f => f.Name)];

    [Theory]
    [MemberData(nameof(Frames))]
    public void PacketDotNet_reads_back_what_our_writers_wrote(string name)
    {
        var frame = TestFrames.Catalogue().Single(f => f.Name == name);

        var ethernet = Assert.IsType<EthernetPacket>(Packet.ParsePacket(LinkLayers.Ethernet, frame.Bytes));

        Assert.Equal(TestFrames.DestinationMac, Mac(ethernet.DestinationHardwareAddress.GetAddressBytes()));
        Assert.Equal(TestFrames.SourceMac, Mac(ethernet.SourceHardwareAddress.GetAddressBytes()));
        if (frame.Encapsulation == Encapsulation.Vlan)
        {
            var tag = ethernet.Extract<Ieee8021QPacket>();
            Assert.Equal(TestFrames.VlanId, tag.VlanIdentifier);
            Assert.Equal(TestFrames.VlanPriority, (byte)tag.PriorityControlPoint);
        }

        var ip = ethernet.Extract<IPPacket>();
        Assert.Equal(TestFrames.Ttl, ip.TimeToLive);
        if (frame.IsIpv6)
        {
            Assert.Equal(Ipv6(TestFrames.SourceIpv6), ip.SourceAddress);
            Assert.Equal(Ipv6(TestFrames.DestinationIpv6), ip.DestinationAddress);
        }
        else
        {
            var ipv4 = Assert.IsType<IPv4Packet>(ip);
            Assert.True(ipv4.ValidChecksum, "IPv4 header checksum");
            Assert.Equal(Ipv4(TestFrames.SourceIpv4), ip.SourceAddress);
            Assert.Equal(Ipv4(TestFrames.DestinationIpv4), ip.DestinationAddress);
        }

        byte[] payload;
        switch (frame.Transport)
        {
            case Transport.Tcp:
                var tcp = ethernet.Extract<TcpPacket>();
                Assert.Equal((TestFrames.SourcePort, TestFrames.DestinationPort, TestFrames.TcpSequence), (tcp.SourcePort, tcp.DestinationPort, tcp.SequenceNumber));
                Assert.True(tcp.ValidChecksum, "TCP checksum");
                payload = tcp.PayloadData;
                break;
            case Transport.Udp:
                var udp = ethernet.Extract<UdpPacket>();
                Assert.Equal((TestFrames.SourcePort, TestFrames.DestinationPort), (udp.SourcePort, udp.DestinationPort));
                Assert.True(udp.ValidChecksum, "UDP checksum");
                payload = udp.PayloadData;
                break;
            default:
                payload = frame.IsIpv6 ? IcmpV6Payload(ethernet.Extract<IcmpV6Packet>()) : IcmpV4Payload(ethernet.Extract<IcmpV4Packet>());
                break;
        }

        Assert.Equal(TestFrames.Payload, payload);
    }

    private static byte[] IcmpV4Payload(IcmpV4Packet icmp)
    {
        Assert.Equal((TestFrames.IcmpIdentifier, TestFrames.IcmpSequence), (icmp.Id, icmp.Sequence));
        Assert.True(icmp.ValidIcmpChecksum, "ICMP checksum");
        return icmp.Data;
    }

    /// <summary>PacketDotNet leaves an echo's identifier and sequence in the ICMPv6 payload; the message body follows them.</summary>
    private static byte[] IcmpV6Payload(IcmpV6Packet icmp)
    {
        Assert.Equal(IcmpV6Type.EchoRequest, icmp.Type);
        return icmp.PayloadData[4..];
    }

    private static ulong Mac(byte[] bytes) => bytes.Aggregate(0UL, (value, b) => (value << 8) | b);

    private static IPAddress Ipv4(uint address)
    {
        var bytes = new byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(bytes, address);
        return new IPAddress(bytes);
    }

    private static IPAddress Ipv6(UInt128 address)
    {
        var bytes = new byte[16];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt128BigEndian(bytes, address);
        return new IPAddress(bytes);
    }
}
