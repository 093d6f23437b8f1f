using System.Buffers.Binary;
using Sdn.Common.Packets;
using Sdn.Fabric.Edge.Datapath;
using Sdn.Fabric.Edge.Pipeline;
using Sdn.Fabric.Edge.Tests.Support;

namespace Sdn.Fabric.Edge.Tests.Datapath;

/// <summary>The DHCP responder on real frames: the OFFER and ACK it sends, byte by byte, and the requests it must not answer.</summary>
public class DhcpResponderTests
{
    private const ulong ServerMac = 0x02_AA_00_00_00_01;
    private const uint Server = 0x0A_01_00_01;
    private const uint Client = 0x0A_01_00_6D;
    private const uint Xid = 0xDEADBEEF;
    private static readonly DhcpOffer Lease = new(Client, 24, Server, ServerMac, 1400, 3600);

    private readonly SwitchRig _rig = new();

    public DhcpResponderTests() =>
        _rig.Pipeline.Add(0, 10, FlowMatch.Any.EthType(EtherTypes.Ipv4).IpProto(IpProtocols.Udp), PipelineAction.DhcpResponder(Lease));

    [Theory]
    [InlineData(DhcpMessage.Discover, DhcpMessage.Offer)]
    [InlineData(DhcpMessage.Request, DhcpMessage.Ack)]
    public void A_request_is_answered_out_of_its_port_byte_by_byte(byte requestType, byte replyType)
    {
        _rig.Send(3, Request(requestType));

        var reply = _rig.SingleOut(3);
        var expected = new byte[14 + 20 + 8 + 300];
        byte[] headers =
        [
            // Ethernet: to the client, from the server's MAC.
            0x02, 0x00, 0x00, 0x00, 0x00, 0x0A, 0x02, 0xAA, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00,

            // IPv4: 328 bytes, TTL 64, UDP, checksum checked below, from the server to the broadcast address.
            0x45, 0x00, 0x01, 0x48, 0x00, 0x00, 0x00, 0x00, 0x40, 0x11, reply[24], reply[25],
            0x0A, 0x01, 0x00, 0x01, 0xFF, 0xFF, 0xFF, 0xFF,

            // UDP: 67 to 68, 308 bytes, no checksum.
            0x00, 0x43, 0x00, 0x44, 0x01, 0x34, 0x00, 0x00,

            // BOOTREPLY, Ethernet, 6, 0 hops; the xid; 0 secs, the broadcast flag kept.
            0x02, 0x01, 0x06, 0x00, 0xDE, 0xAD, 0xBE, 0xEF, 0x00, 0x00, 0x80, 0x00,

            // ciaddr, yiaddr (the lease), siaddr (the server), giaddr.
            0x00, 0x00, 0x00, 0x00, 0x0A, 0x01, 0x00, 0x6D, 0x0A, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,

            // chaddr.
            0x02, 0x00, 0x00, 0x00, 0x00, 0x0A,
        ];
        headers.CopyTo(expected, 0);
        byte[] cookieAndOptions =
        [
            0x63, 0x82, 0x53, 0x63,
            53, 1, replyType,
            54, 4, 0x0A, 0x01, 0x00, 0x01,
            51, 4, 0x00, 0x00, 0x0E, 0x10,
            1, 4, 0xFF, 0xFF, 0xFF, 0x00,
            3, 4, 0x0A, 0x01, 0x00, 0x01,
            26, 2, 0x05, 0x78,
            255,
        ];
        cookieAndOptions.CopyTo(expected, 14 + 20 + 8 + 236);
        Assert.Equal(expected, reply);
        Assert.True(InternetChecksum.Verify(reply.AsSpan(14, 20)));
        Assert.Equal(replyType, ParsedMessageType(reply));
    }

    [Fact]
    public void An_inform_a_reply_or_options_past_the_end_are_dropped_and_counted()
    {
        _rig.Send(3, Request(8));
        var reply = Request(DhcpMessage.Discover);
        reply[14 + 20 + 8] = 2;
        _rig.Send(3, reply);
        var overrun = Request(DhcpMessage.Discover);
        overrun[14 + 20 + 8 + 240 + 4] = 250;
        _rig.Send(3, overrun);

        Assert.Empty(_rig.Port(3).TakeTransmitted());
        Assert.Equal(3, _rig.Switch.Datapath.Counters.DhcpUnanswered);
    }

    [Fact]
    public void Udp_that_is_not_dhcp_is_left_alone()
    {
        _rig.Send(3, Frames.Udp(sourcePort: 68, destinationPort: 53));

        Assert.Empty(_rig.Port(3).TakeTransmitted());
        Assert.Equal(0, _rig.Switch.Datapath.Counters.DhcpUnanswered);
    }

    [Fact]
    public void A_lease_with_a_dns_server_carries_it_after_the_router()
    {
        var rig = new SwitchRig();
        rig.Pipeline.Add(0, 10, FlowMatch.Any.EthType(EtherTypes.Ipv4).IpProto(IpProtocols.Udp), PipelineAction.DhcpResponder(Lease with { DnsServer = 0x0A_01_00_35 }));

        rig.Send(3, Request(DhcpMessage.Request));

        var options = rig.SingleOut(3).AsSpan(14 + 20 + 8 + 240, 38).ToArray();
        byte[] expected =
        [
            53, 1, DhcpMessage.Ack,
            54, 4, 0x0A, 0x01, 0x00, 0x01,
            51, 4, 0x00, 0x00, 0x0E, 0x10,
            1, 4, 0xFF, 0xFF, 0xFF, 0x00,
            3, 4, 0x0A, 0x01, 0x00, 0x01,
            6, 4, 0x0A, 0x01, 0x00, 0x35,
            26, 2, 0x05, 0x78,
            255,
        ];
        Assert.Equal(expected, options);
    }

    /// <summary>A client's broadcast request from 0.0.0.0, as udhcpc sends it, padded to 300 bytes.</summary>
    private static byte[] Request(byte type)
    {
        var frame = new byte[14 + 20 + 8 + 300];
        EthernetHeader.WriteMac(frame, ulong.MaxValue >> 16);
        EthernetHeader.WriteMac(frame.AsSpan(6), Keys.MacA);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(12), EtherTypes.Ipv4);
        Ipv4Header.TryWrite(frame.AsSpan(14), 0, uint.MaxValue, IpProtocols.Udp, 8 + 300);
        UdpHeader.TryWrite(frame.AsSpan(34), DhcpMessage.ClientPort, DhcpMessage.ServerPort, 300);
        var message = frame.AsSpan(42);
        message[0] = 1;
        message[1] = 1;
        message[2] = 6;
        BinaryPrimitives.WriteUInt32BigEndian(message[4..], Xid);
        BinaryPrimitives.WriteUInt16BigEndian(message[8..], 3);
        BinaryPrimitives.WriteUInt16BigEndian(message[10..], 0x8000);
        EthernetHeader.WriteMac(message[28..], Keys.MacA);
        BinaryPrimitives.WriteUInt32BigEndian(message[236..], DhcpMessage.MagicCookie);
        byte[] options = [53, 1, type, 50, 4, 0x0A, 0x01, 0x00, 0x6D, 0, 255];
        options.CopyTo(message[240..]);
        return frame;
    }

    /// <summary>A parser of its own, so the test does not trust the code under test to read what it wrote.</summary>
    private static byte ParsedMessageType(byte[] frame)
    {
        var options = frame.AsSpan(14 + 20 + 8 + 240);
        for (var at = 0; options[at] != 255; at += 2 + options[at + 1])
        {
            if (options[at] == 53)
            {
                return options[at + 2];
            }
        }

        return 0;
    }
}
