using System.Buffers.Binary;
using Sdn.Common.Packets;
using Sdn.Fabric.Edge.Nat;
using Sdn.Fabric.Edge.Tests.Support;

namespace Sdn.Fabric.Edge.Tests.Nat;

/// <summary>
/// The NAT rewrite on real frames: each rewritten frame must equal, byte for byte, the frame built from scratch with the
/// translated address and port, whose checksums the builder computes in full.
/// </summary>
public class Ipv4NatRewriteTests
{
    private const uint Client = 0x0A_01_00_64; // 10.1.0.100
    private const uint Server = 0xC6_33_64_C8; // 198.51.100.200
    private const uint Gateway = 0xC6_33_64_02; // 198.51.100.2
    private const ushort ClientPort = 40000;
    private const ushort ServerPort = 80;
    private const ushort Mapped = 61000;

    public static TheoryData<uint, uint, ushort, ushort> Translations() => new()
    {
        { Client, Gateway, ClientPort, Mapped },
        { 0xFFFF_FFFF, 0x0000_0001, 0xFFFF, 0x0001 },
        { 0x0000_0001, 0xFFFF_FFFE, 0x0001, 0xFFFF },
        { 0x7F00_0001, 0x8000_0000, 1024, 1024 },
        { 0x0A00_0001, 0x0A00_0001, 5000, 5001 },
    };

    [Theory]
    [MemberData(nameof(Translations))]
    public void Snat_of_a_tcp_segment_equals_the_segment_sent_from_the_translated_end(uint from, uint to, ushort fromPort, ushort toPort)
    {
        var frame = Frames.TcpSegment(from, Server, fromPort, ServerPort, TcpHeader.Syn);

        Assert.Equal(NatRewriteResult.Rewritten, Rewrite(frame, NatSide.Source, to, toPort));

        Assert.Equal(Frames.TcpSegment(to, Server, toPort, ServerPort, TcpHeader.Syn), frame);
    }

    [Theory]
    [MemberData(nameof(Translations))]
    public void Undoing_snat_on_a_tcp_reply_restores_the_original_destination(uint from, uint to, ushort fromPort, ushort toPort)
    {
        var reply = Frames.TcpSegment(Server, to, ServerPort, toPort, TcpHeader.Syn | TcpHeader.Ack);

        Assert.Equal(NatRewriteResult.Rewritten, Rewrite(reply, NatSide.Destination, from, fromPort));

        Assert.Equal(Frames.TcpSegment(Server, from, ServerPort, fromPort, TcpHeader.Syn | TcpHeader.Ack), reply);
    }

    [Theory]
    [MemberData(nameof(Translations))]
    public void A_udp_datagram_is_translated_either_end(uint from, uint to, ushort fromPort, ushort toPort)
    {
        var outbound = Frames.Udp(from, Server, fromPort, 53);
        var inbound = Frames.Udp(Server, to, 53, toPort);

        Rewrite(outbound, NatSide.Source, to, toPort);
        Rewrite(inbound, NatSide.Destination, from, fromPort);

        Assert.Equal(Frames.Udp(to, Server, toPort, 53), outbound);
        Assert.Equal(Frames.Udp(Server, from, 53, fromPort), inbound);
    }

    [Fact]
    public void A_udp_datagram_without_a_checksum_keeps_none_and_its_ip_header_verifies()
    {
        var frame = Frames.Udp(Client, Server, ClientPort, 53);
        var udpChecksum = EthernetHeader.Size + Ipv4Header.MinimumSize + UdpHeader.ChecksumOffset;
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(udpChecksum), 0);

        Rewrite(frame, NatSide.Source, Gateway, Mapped);

        Assert.Equal(0, BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(udpChecksum)));
        Ipv4Header.Parse(frame.AsSpan(EthernetHeader.Size), out var ip);
        Assert.True(ip.IsChecksumValid);
        Assert.Equal(Gateway, BinaryPrimitives.ReadUInt32BigEndian(frame.AsSpan(EthernetHeader.Size + Ipv4Header.SourceOffset)));
    }

    [Fact]
    public void An_echo_request_gets_the_mapped_identifier_and_its_reply_the_original_one_back()
    {
        const ushort Identifier = 7;
        var request = Frames.Echo(Client, Server, 8, Identifier);
        var reply = Frames.Echo(Server, Gateway, 0, Mapped);

        Rewrite(request, NatSide.Source, Gateway, Mapped);
        Rewrite(reply, NatSide.Destination, Client, Identifier);

        Assert.Equal(Frames.Echo(Gateway, Server, 8, Mapped), request);
        Assert.Equal(Frames.Echo(Server, Client, 0, Identifier), reply);
    }

    [Fact]
    public void An_offloaded_checksum_takes_the_new_address_into_its_pseudo_header_sum_and_leaves_the_port_to_whoever_finishes_it()
    {
        var frame = Frames.TcpSegment(Client, Server, ClientPort, ServerPort, TcpHeader.Ack);
        var checksumAt = EthernetHeader.Size + Ipv4Header.MinimumSize + TcpHeader.ChecksumOffset;
        var length = frame.Length - EthernetHeader.Size - Ipv4Header.MinimumSize;
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(checksumAt), InternetChecksum.Fold(InternetChecksum.PseudoHeaderSum(Client, Server, IpProtocols.Tcp, length)));

        Rewrite(frame, NatSide.Source, Gateway, Mapped, partialChecksum: true);

        Assert.Equal(InternetChecksum.Fold(InternetChecksum.PseudoHeaderSum(Gateway, Server, IpProtocols.Tcp, length)), BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(checksumAt)));
        var segment = frame.AsSpan(EthernetHeader.Size + Ipv4Header.MinimumSize);
        BinaryPrimitives.WriteUInt16BigEndian(segment[TcpHeader.ChecksumOffset..], 0);
        TcpHeader.WriteChecksum(segment, InternetChecksum.PseudoHeaderSum(Gateway, Server, IpProtocols.Tcp, length));
        Assert.Equal(Frames.TcpSegment(Gateway, Server, Mapped, ServerPort, TcpHeader.Ack), frame);
    }

    [Fact]
    public void What_nat_cannot_map_is_refused_and_left_as_it_was()
    {
        var error = Frames.IcmpError(Server, Client, 3, 3, Frames.Udp(Client, Server, ClientPort, 53));
        var fragment = Frames.Udp(Client, Server, ClientPort, 53);
        fragment[EthernetHeader.Size + 7] = 0x10; // fragment offset 16: a later fragment
        var ipv6 = Frames.Udp6(1, 2);
        var truncated = Frames.TcpSegment(Client, Server, ClientPort, ServerPort, TcpHeader.Syn);

        Assert.Equal(NatRewriteResult.Unsupported, Unchanged(error));
        Assert.Equal(NatRewriteResult.LaterFragment, Unchanged(fragment));
        Assert.Equal(NatRewriteResult.Malformed, Unchanged(ipv6));
        var offsets = Offsets(truncated);
        Assert.Equal(NatRewriteResult.Malformed, Ipv4NatRewrite.Apply(truncated.AsSpan(0, EthernetHeader.Size + Ipv4Header.MinimumSize + 10), offsets, NatSide.Source, Gateway, Mapped));
    }

    [Fact]
    public void A_rewrite_allocates_nothing()
    {
        var frame = Frames.TcpSegment(Client, Server, ClientPort, ServerPort, TcpHeader.Ack);
        var offsets = Offsets(frame);

        Allocations.AssertNone(() =>
        {
            for (var i = 0; i < 1000; i++)
            {
                Ipv4NatRewrite.Apply(frame, offsets, NatSide.Source, (i & 1) == 0 ? Gateway : Client, (ushort)i);
            }
        });
    }

    private static NatRewriteResult Rewrite(byte[] frame, NatSide side, uint address, ushort port, bool partialChecksum = false) =>
        Ipv4NatRewrite.Apply(frame, Offsets(frame), side, address, port, partialChecksum);

    private static NatRewriteResult Unchanged(byte[] frame)
    {
        var before = frame.ToArray();
        var result = Rewrite(frame, NatSide.Source, Gateway, Mapped);
        Assert.Equal(before, frame);
        return result;
    }

    private static HeaderOffsets Offsets(byte[] frame)
    {
        FlowKeyExtractor.Extract(frame, 1, out _, out var offsets);
        return offsets;
    }
}
