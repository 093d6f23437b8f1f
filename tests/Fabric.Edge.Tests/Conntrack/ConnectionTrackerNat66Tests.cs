using Microsoft.Extensions.Time.Testing;
using Sdn.Common.Packets;
using Sdn.Fabric.Edge.Conntrack;
using Sdn.Fabric.Edge.Nat;
using Sdn.Fabric.Edge.Tests.Support;

namespace Sdn.Fabric.Edge.Tests.Conntrack;

/// <summary>
/// NAT66 in the tracker, on real frames, as <see cref="ConnectionTrackerNatTests"/> does for IPv4: a translated IPv6
/// connection's packets, either way, equal byte for byte the frames the translated end would have sent (so the TCP,
/// UDP and ICMPv6 checksums, whose pseudo-headers hold the addresses, are right), ports come from a pool per address,
/// ICMPv6 errors about a translated packet are turned back for its sender, and the families never mix.
/// </summary>
public class ConnectionTrackerNat66Tests
{
    private const ushort Zone = 3;
    private const ushort InsidePort = 40000;
    private static readonly UInt128 Inside = Address("fd00:1::64");
    private static readonly UInt128 Inside2 = Address("fd00:1::65");
    private static readonly UInt128 Server = Address("2001:db8:100::c8");
    private static readonly UInt128 Gateway = Address("2001:db8:100::2");
    private static readonly UInt128 Floating = Address("2001:db8:100::a");
    private static readonly UInt128 Router = Address("2001:db8:100::1");
    private static readonly NatTranslation Snat = new(NatSide.Source, Gateway, 50000, 50009, IsIpv6: true);

    private readonly FakeTimeProvider _clock = new();
    private readonly ConnectionTracker _tracker;

    public ConnectionTrackerNat66Tests() => _tracker = new ConnectionTracker(16, _clock);

    [Fact]
    public void Snat_rewrites_a_tcp_handshake_both_ways_with_its_checksums()
    {
        var syn = Frames.Tcp6Segment(Inside, Server, InsidePort, 80, TcpHeader.Syn);

        Assert.Equal(CtCommitResult.Committed, CommitTranslated(syn, Snat));

        Assert.Equal(Frames.Tcp6Segment(Gateway, Server, 50000, 80, TcpHeader.Syn), syn);
        var synAck = Frames.Tcp6Segment(Server, Gateway, 80, 50000, TcpHeader.Syn | TcpHeader.Ack);
        Assert.Equal(CtState.Tracked | CtState.Established | CtState.Reply, TrackTranslated(synAck));
        Assert.Equal(Frames.Tcp6Segment(Server, Inside, 80, InsidePort, TcpHeader.Syn | TcpHeader.Ack), synAck);
        var ack = Frames.Tcp6Segment(Inside, Server, InsidePort, 80, TcpHeader.Ack);
        Assert.Equal(CtState.Tracked | CtState.Established, TrackTranslated(ack));
        Assert.Equal(Frames.Tcp6Segment(Gateway, Server, 50000, 80, TcpHeader.Ack), ack);
    }

    [Fact]
    public void Two_hosts_with_the_same_udp_port_get_ports_of_their_own_and_their_own_replies()
    {
        var first = Frames.Udp6(Inside, Server, sourcePort: InsidePort, destinationPort: 53);
        var second = Frames.Udp6(Inside2, Server, sourcePort: InsidePort, destinationPort: 53);
        CommitTranslated(first, Snat);
        CommitTranslated(second, Snat);

        Assert.Equal(Frames.Udp6(Gateway, Server, sourcePort: 50000, destinationPort: 53), first);
        Assert.Equal(Frames.Udp6(Gateway, Server, sourcePort: 50001, destinationPort: 53), second);
        var toSecond = Frames.Udp6(Server, Gateway, sourcePort: 53, destinationPort: 50001);
        TrackTranslated(toSecond);
        Assert.Equal(Frames.Udp6(Server, Inside2, sourcePort: 53, destinationPort: InsidePort), toSecond);
    }

    [Fact]
    public void An_icmpv6_echo_identifier_is_mapped_as_a_port_and_the_checksum_follows_the_addresses()
    {
        var request = Frames.Echo(Inside, Server, 128, 7, ipv6: true);
        CommitTranslated(request, Snat);

        Assert.Equal(Frames.Echo(Gateway, Server, 128, 50000, ipv6: true), request);
        var reply = Frames.Echo(Server, Gateway, 129, 50000, ipv6: true);
        Assert.Equal(CtState.Tracked | CtState.Established | CtState.Reply, TrackTranslated(reply));
        Assert.Equal(Frames.Echo(Server, Inside, 129, 7, ipv6: true), reply);
    }

    [Fact]
    public void Dnat_to_a_port_and_its_answer_from_the_floating_address()
    {
        var inbound = Frames.Tcp6Segment(Server, Floating, 41000, 22, TcpHeader.Syn);
        CommitTranslated(inbound, new NatTranslation(NatSide.Destination, Inside, IsIpv6: true));

        Assert.Equal(Frames.Tcp6Segment(Server, Inside, 41000, 22, TcpHeader.Syn), inbound);
        var answer = Frames.Tcp6Segment(Inside, Server, 22, 41000, TcpHeader.Syn | TcpHeader.Ack);
        Assert.Equal(CtState.Tracked | CtState.Established | CtState.Reply, TrackTranslated(answer));
        Assert.Equal(Frames.Tcp6Segment(Floating, Server, 22, 41000, TcpHeader.Syn | TcpHeader.Ack), answer);
    }

    [Fact]
    public void An_uncommitted_dnat_rewrites_the_new_packet_and_the_later_commit_translates_its_connection()
    {
        var request = Frames.Echo(Server, Floating, 128, 9, ipv6: true);
        Assert.Equal(CtState.Tracked | CtState.New, Track(request));

        Assert.True(_tracker.Translate(request, Offsets(request), partialChecksum: false, new NatTranslation(NatSide.Destination, Inside, IsIpv6: true)));
        Assert.Equal(Frames.Echo(Server, Inside, 128, 9, ipv6: true), request);
        Assert.True(_tracker.Commit(_clock.GetTimestamp()));

        var answer = Frames.Echo(Inside, Server, 129, 9, ipv6: true);
        Assert.Equal(CtState.Tracked | CtState.Established | CtState.Reply, TrackTranslated(answer));
        Assert.Equal(Frames.Echo(Floating, Server, 129, 9, ipv6: true), answer);
    }

    [Fact]
    public void Pools_of_an_ipv6_and_an_ipv4_address_are_apart()
    {
        var v6 = Frames.Udp6(Inside, Server, sourcePort: 1, destinationPort: 53);
        var v4 = Frames.Udp(0x0A_01_00_64, 0xC6_33_64_C8, 2, 53);

        CommitTranslated(v6, Snat);
        CommitTranslated(v4, new NatTranslation(NatSide.Source, 0xC6_33_64_02, 50000, 50009));

        Assert.Equal(Frames.Udp6(Gateway, Server, sourcePort: 50000, destinationPort: 53), v6);
        Assert.Equal(Frames.Udp(0xC6_33_64_02, 0xC6_33_64_C8, 50000, 53), v4);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_translation_of_the_other_family_is_refused_without_taking_a_slot(bool ipv6Packet)
    {
        var packet = ipv6Packet ? Frames.Udp6(Inside, Server) : Frames.Udp(0x0A_01_00_64, 0xC6_33_64_C8);
        var otherFamily = ipv6Packet ? new NatTranslation(NatSide.Source, 0xC6_33_64_02) : Snat;

        Assert.Equal(CtCommitResult.NatUntranslatable, CommitTranslated(packet, otherFamily));

        Assert.Equal(0, _tracker.Count);
    }

    [Fact]
    public void An_error_about_a_translated_datagram_is_related_and_rewritten_for_its_sender()
    {
        CommitTranslated(Frames.Udp6(Inside, Server, sourcePort: InsidePort, destinationPort: 53), Snat);
        var error = Frames.Icmp6Error(Router, Gateway, 1, 4, Frames.Udp6(Gateway, Server, sourcePort: 50000, destinationPort: 53));

        Assert.Equal(CtState.Tracked | CtState.Related | CtState.Reply, TrackTranslated(error));

        Assert.Equal(Frames.Icmp6Error(Router, Inside, 1, 4, Frames.Udp6(Inside, Server, sourcePort: InsidePort, destinationPort: 53)), error);
    }

    [Fact]
    public void An_error_about_a_translated_echo_quotes_the_identifier_its_sender_chose()
    {
        CommitTranslated(Frames.Echo(Inside, Server, 128, 7, ipv6: true), Snat);
        var error = Frames.Icmp6Error(Router, Gateway, 3, 0, Frames.Echo(Gateway, Server, 128, 50000, ipv6: true));

        Assert.Equal(CtState.Tracked | CtState.Related | CtState.Reply, TrackTranslated(error));

        Assert.Equal(Frames.Icmp6Error(Router, Inside, 3, 0, Frames.Echo(Inside, Server, 128, 7, ipv6: true)), error);
    }

    [Fact]
    public void An_error_about_an_answer_from_behind_a_floating_address_goes_back_to_the_port()
    {
        CommitTranslated(Frames.Tcp6Segment(Server, Floating, 41000, 22, TcpHeader.Syn), new NatTranslation(NatSide.Destination, Inside, IsIpv6: true));
        var answer = Frames.Tcp6Segment(Inside, Server, 22, 41000, TcpHeader.Syn | TcpHeader.Ack);
        TrackTranslated(answer);
        var error = Frames.Icmp6Error(Router, Floating, 1, 0, answer);

        Assert.Equal(CtState.Tracked | CtState.Related, TrackTranslated(error));

        Assert.Equal(Frames.Icmp6Error(Router, Inside, 1, 0, Frames.Tcp6Segment(Inside, Server, 22, 41000, TcpHeader.Syn | TcpHeader.Ack)), error);
    }

    [Fact]
    public void A_partial_checksum_left_for_offload_takes_the_address_change_as_a_sum()
    {
        var syn = Frames.Tcp6Segment(Inside, Server, InsidePort, 80, TcpHeader.Syn);
        var offsets = Offsets(syn);
        var tcpLength = syn.Length - offsets.Transport;
        SetPartial(syn, offsets.Transport, Inside, Server, tcpLength);
        var now = _clock.GetTimestamp();
        _tracker.Track(Zone, syn, offsets, now);
        _tracker.Commit(now, Snat);

        Assert.True(_tracker.Translate(syn, offsets, partialChecksum: true));

        var expected = Frames.Tcp6Segment(Gateway, Server, 50000, 80, TcpHeader.Syn);
        SetPartial(expected, offsets.Transport, Gateway, Server, tcpLength);
        Assert.Equal(expected, syn);
    }

    /// <summary>The checksum field as a host with offload leaves it: the pseudo-header's sum, not complemented.</summary>
    private static void SetPartial(byte[] frame, int transport, UInt128 source, UInt128 destination, int length) =>
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(
            frame.AsSpan(transport + TcpHeader.ChecksumOffset), InternetChecksum.Fold(InternetChecksum.PseudoHeaderSum(source, destination, IpProtocols.Tcp, length)));

    private static UInt128 Address(string text) =>
        System.Buffers.Binary.BinaryPrimitives.ReadUInt128BigEndian(System.Net.IPAddress.Parse(text).GetAddressBytes());

    private static HeaderOffsets Offsets(byte[] frame)
    {
        FlowKeyExtractor.Extract(frame, 1, out _, out var offsets);
        return offsets;
    }

    private CtState Track(byte[] frame) => _tracker.Track(Zone, frame, Offsets(frame), _clock.GetTimestamp());

    private CtState TrackTranslated(byte[] frame)
    {
        var state = Track(frame);
        Assert.True(_tracker.Translate(frame, Offsets(frame), partialChecksum: false));
        return state;
    }

    private CtCommitResult CommitTranslated(byte[] frame, NatTranslation nat)
    {
        var now = _clock.GetTimestamp();
        _tracker.Track(Zone, frame, Offsets(frame), now);
        var result = _tracker.Commit(now, nat);
        if (result == CtCommitResult.Committed)
        {
            Assert.True(_tracker.Translate(frame, Offsets(frame), partialChecksum: false));
        }

        return result;
    }
}
