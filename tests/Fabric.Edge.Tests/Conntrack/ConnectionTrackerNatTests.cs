using Microsoft.Extensions.Time.Testing;
using Sdn.Common.Packets;
using Sdn.Fabric.Edge.Conntrack;
using Sdn.Fabric.Edge.Nat;
using Sdn.Fabric.Edge.Tests.Support;

namespace Sdn.Fabric.Edge.Tests.Conntrack;

/// <summary>
/// NAT bindings in the tracker, on real frames: a commit translates the connection, and every later packet of it,
/// either way, is rewritten to the frame the translated end would have sent, byte for byte; ports come from a pool per
/// address without collisions, go back when the connection expires, and run out counted.
/// </summary>
public class ConnectionTrackerNatTests
{
    private const ushort Zone = 3;
    private const uint Inside = 0x0A_01_00_64; // 10.1.0.100
    private const uint Inside2 = 0x0A_01_00_65; // 10.1.0.101
    private const uint Server = 0xC6_33_64_C8; // 198.51.100.200
    private const uint Gateway = 0xC6_33_64_02; // 198.51.100.2
    private const uint Floating = 0xC6_33_64_0A; // 198.51.100.10
    private const uint Router = 0xC6_33_64_01; // 198.51.100.1
    private const ushort InsidePort = 40000;
    private static readonly NatTranslation Snat = new(NatSide.Source, Gateway, 50000, 50009);

    private readonly FakeTimeProvider _clock = new();
    private readonly ConnectionTracker _tracker;

    public ConnectionTrackerNatTests() => _tracker = new ConnectionTracker(16, _clock);

    [Fact]
    public void Snat_rewrites_the_opening_packet_and_its_reply_finds_the_connection_at_the_translated_port()
    {
        var syn = Frames.TcpSegment(Inside, Server, InsidePort, 80, TcpHeader.Syn);

        Assert.Equal(CtCommitResult.Committed, CommitTranslated(syn, Snat));

        Assert.Equal(Frames.TcpSegment(Gateway, Server, 50000, 80, TcpHeader.Syn), syn);
        var synAck = Frames.TcpSegment(Server, Gateway, 80, 50000, TcpHeader.Syn | TcpHeader.Ack);
        Assert.Equal(CtState.Tracked | CtState.Established | CtState.Reply, TrackTranslated(synAck));
        Assert.Equal(Frames.TcpSegment(Server, Inside, 80, InsidePort, TcpHeader.Syn | TcpHeader.Ack), synAck);
        var ack = Frames.TcpSegment(Inside, Server, InsidePort, 80, TcpHeader.Ack);
        Assert.Equal(CtState.Tracked | CtState.Established, TrackTranslated(ack));
        Assert.Equal(Frames.TcpSegment(Gateway, Server, 50000, 80, TcpHeader.Ack), ack);
        Assert.Equal((1L, 1), (_tracker.Translated, _tracker.TranslatedNow));
    }

    [Fact]
    public void Two_hosts_with_the_same_port_get_ports_of_their_own_and_each_gets_its_own_replies()
    {
        var first = Frames.Udp(Inside, Server, InsidePort, 53);
        var second = Frames.Udp(Inside2, Server, InsidePort, 53);
        CommitTranslated(first, Snat);
        CommitTranslated(second, Snat);

        Assert.Equal(Frames.Udp(Gateway, Server, 50000, 53), first);
        Assert.Equal(Frames.Udp(Gateway, Server, 50001, 53), second);
        var toSecond = Frames.Udp(Server, Gateway, 53, 50001);
        var toFirst = Frames.Udp(Server, Gateway, 53, 50000);
        TrackTranslated(toSecond);
        TrackTranslated(toFirst);
        Assert.Equal(Frames.Udp(Server, Inside2, 53, InsidePort), toSecond);
        Assert.Equal(Frames.Udp(Server, Inside, 53, InsidePort), toFirst);
    }

    [Fact]
    public void An_echo_identifier_is_mapped_as_a_port_and_mapped_back_on_the_reply()
    {
        var request = Frames.Echo(Inside, Server, 8, 7);
        CommitTranslated(request, Snat);

        Assert.Equal(Frames.Echo(Gateway, Server, 8, 50000), request);
        var reply = Frames.Echo(Server, Gateway, 0, 50000);
        Assert.Equal(CtState.Tracked | CtState.Established | CtState.Reply, TrackTranslated(reply));
        Assert.Equal(Frames.Echo(Server, Inside, 0, 7), reply);
    }

    [Fact]
    public void Dnat_sends_the_outside_to_the_port_and_the_port_answers_from_the_floating_address()
    {
        var inbound = Frames.TcpSegment(Server, Floating, 41000, 22, TcpHeader.Syn);
        CommitTranslated(inbound, new NatTranslation(NatSide.Destination, Inside));

        Assert.Equal(Frames.TcpSegment(Server, Inside, 41000, 22, TcpHeader.Syn), inbound);
        var answer = Frames.TcpSegment(Inside, Server, 22, 41000, TcpHeader.Syn | TcpHeader.Ack);
        Assert.Equal(CtState.Tracked | CtState.Established | CtState.Reply, TrackTranslated(answer));
        Assert.Equal(Frames.TcpSegment(Floating, Server, 22, 41000, TcpHeader.Syn | TcpHeader.Ack), answer);
    }

    [Fact]
    public void Snat_without_a_range_keeps_the_port_while_it_is_free_and_picks_another_when_it_is_not()
    {
        var oneToOne = new NatTranslation(NatSide.Source, Floating);
        var first = Frames.Udp(Inside, Server, InsidePort, 53);
        var second = Frames.Udp(Inside, 0xC6_33_64_C9, InsidePort, 53);

        CommitTranslated(first, oneToOne);
        CommitTranslated(second, oneToOne);

        Assert.Equal(Frames.Udp(Floating, Server, InsidePort, 53), first);
        Assert.Equal(Frames.Udp(Floating, 0xC6_33_64_C9, NatPortPool.DefaultFirst, 53), second);
    }

    [Fact]
    public void A_range_with_no_free_port_refuses_the_connection_and_counts_it_until_one_expires()
    {
        var two = Snat with { LastPort = 50001 };
        CommitTranslated(Frames.Udp(Inside, Server, 1, 53), two);
        CommitTranslated(Frames.Udp(Inside, Server, 2, 53), two);

        Assert.Equal(CtCommitResult.NatPortsExhausted, CommitTranslated(Frames.Udp(Inside, Server, 3, 53), two));
        Assert.Equal((1L, 2), (_tracker.NatPortsExhausted, _tracker.Count));

        _clock.Advance(ConntrackTimeouts.Default.UdpUnreplied);
        _tracker.Sweep(_clock.GetTimestamp());
        var third = Frames.Udp(Inside, Server, 3, 53);
        Assert.Equal(CtCommitResult.Committed, CommitTranslated(third, two));
        Assert.Equal(Frames.Udp(Gateway, Server, 50000, 53), third);
        Assert.Equal(1, _tracker.TranslatedNow);
    }

    [Fact]
    public void Pools_are_per_address_and_protocol()
    {
        var udp = Frames.Udp(Inside, Server, 1, 53);
        var tcp = Frames.TcpSegment(Inside, Server, 2, 80, TcpHeader.Syn);
        var other = Frames.Udp(Inside, Server, 4, 53);

        CommitTranslated(udp, Snat);
        CommitTranslated(tcp, Snat);
        CommitTranslated(other, Snat with { Address = Floating });

        Assert.Equal(Frames.Udp(Gateway, Server, 50000, 53), udp);
        Assert.Equal(Frames.TcpSegment(Gateway, Server, 50000, 80, TcpHeader.Syn), tcp);
        Assert.Equal(Frames.Udp(Floating, Server, 50000, 53), other);
    }

    [Fact]
    public void A_connection_an_earlier_commit_of_the_same_packet_added_is_translated_by_the_nat_commit()
    {
        var datagram = Frames.Udp(Inside, Server, InsidePort, 53);
        Track(datagram);
        Assert.True(_tracker.Commit(_clock.GetTimestamp()));

        Assert.Equal(CtCommitResult.Committed, _tracker.Commit(_clock.GetTimestamp(), Snat));
        Assert.True(_tracker.Translate(datagram, Offsets(datagram), partialChecksum: false));

        Assert.Equal(Frames.Udp(Gateway, Server, 50000, 53), datagram);
        Assert.Equal(CtState.Tracked | CtState.Established | CtState.Reply, Track(Frames.Udp(Server, Gateway, 53, 50000)));
        Assert.Equal(1, _tracker.Count);
    }

    [Fact]
    public void A_known_connection_keeps_its_translation_and_one_committed_plain_stays_plain()
    {
        var plain = Frames.Udp(Inside, Server, InsidePort, 53);
        Track(plain);
        _tracker.Commit(_clock.GetTimestamp());
        var again = Frames.Udp(Inside, Server, InsidePort, 53);

        Assert.Equal(CtCommitResult.Committed, CommitTranslated(again, Snat));

        Assert.Equal(Frames.Udp(Inside, Server, InsidePort, 53), again);
        Assert.Equal(0L, _tracker.Translated);
    }

    [Fact]
    public void A_full_table_refuses_a_translated_connection_and_gives_its_port_back()
    {
        var tracker = new ConnectionTracker(1, _clock);
        var onePort = Snat with { LastPort = 50000 };
        var plain = Frames.Udp(Inside, Server, 1, 53);
        tracker.Track(Zone, plain, Offsets(plain), _clock.GetTimestamp());
        tracker.Commit(_clock.GetTimestamp());

        Assert.Equal(CtCommitResult.TableFull, Commit(tracker, Frames.Udp(Inside, Server, 2, 53), onePort));

        _clock.Advance(ConntrackTimeouts.Default.UdpUnreplied);
        var later = Frames.Udp(Inside, Server, 3, 53);
        Assert.Equal(CtCommitResult.Committed, Commit(tracker, later, onePort));
        Assert.Equal(Frames.Udp(Gateway, Server, 50000, 53), later);
    }

    [Fact]
    public void A_reply_zone_puts_the_way_back_in_a_zone_of_its_own()
    {
        const ushort Outside = 9;
        CommitTranslated(Frames.Udp(Inside, Server, InsidePort, 53), Snat with { ReplyZone = Outside });
        var reply = Frames.Udp(Server, Gateway, 53, 50000);

        Assert.Equal(CtState.Tracked | CtState.New, _tracker.Track(Zone, reply, Offsets(reply), _clock.GetTimestamp()));
        Assert.Equal(CtState.Tracked | CtState.Established | CtState.Reply, _tracker.Track(Outside, reply, Offsets(reply), _clock.GetTimestamp()));
        Assert.True(_tracker.Translate(reply, Offsets(reply), partialChecksum: false));
        Assert.Equal(Frames.Udp(Server, Inside, 53, InsidePort), reply);
        var onward = Frames.Udp(Inside, Server, InsidePort, 53);
        Assert.Equal(CtState.Tracked | CtState.Established, Track(onward));
    }

    [Fact]
    public void An_error_about_a_translated_datagram_is_related_and_rewritten_for_its_sender()
    {
        CommitTranslated(Frames.Udp(Inside, Server, InsidePort, 53), Snat);
        var error = Frames.IcmpError(Router, Gateway, 3, 3, Frames.Udp(Gateway, Server, 50000, 53));

        Assert.Equal(CtState.Tracked | CtState.Related | CtState.Reply, TrackTranslated(error));

        Assert.Equal(Frames.IcmpError(Router, Inside, 3, 3, Frames.Udp(Inside, Server, InsidePort, 53)), error);
    }

    [Fact]
    public void An_error_about_a_translated_echo_quotes_the_identifier_its_sender_chose()
    {
        CommitTranslated(Frames.Echo(Inside, Server, 8, 7), Snat);
        var error = Frames.IcmpError(Router, Gateway, 11, 0, Frames.Echo(Gateway, Server, 8, 50000));

        Assert.Equal(CtState.Tracked | CtState.Related | CtState.Reply, TrackTranslated(error));

        Assert.Equal(Frames.IcmpError(Router, Inside, 11, 0, Frames.Echo(Inside, Server, 8, 7)), error);
    }

    [Fact]
    public void An_error_about_an_answer_from_behind_a_floating_address_goes_back_to_the_port()
    {
        CommitTranslated(Frames.TcpSegment(Server, Floating, 41000, 22, TcpHeader.Syn), new NatTranslation(NatSide.Destination, Inside));
        var answer = Frames.TcpSegment(Inside, Server, 22, 41000, TcpHeader.Syn | TcpHeader.Ack);
        TrackTranslated(answer);
        var error = Frames.IcmpError(Router, Floating, 3, 1, answer);

        Assert.Equal(CtState.Tracked | CtState.Related, TrackTranslated(error));

        Assert.Equal(Frames.IcmpError(Router, Inside, 3, 1, Frames.TcpSegment(Inside, Server, 22, 41000, TcpHeader.Syn | TcpHeader.Ack)), error);
    }

    [Fact]
    public void A_trace_sees_the_translation_of_either_way()
    {
        CommitTranslated(Frames.Udp(Inside, Server, InsidePort, 53), Snat);
        var now = _clock.GetTimestamp();

        Assert.True(_tracker.TryGetTranslation(new ConnectionTuple(Zone, IpProtocols.Udp, false, Inside, Server, InsidePort, 53), now, out var outbound));
        Assert.True(_tracker.TryGetTranslation(new ConnectionTuple(Zone, IpProtocols.Udp, false, Server, Gateway, 53, 50000), now, out var inbound));

        Assert.Equal(new ConnectionTuple(Zone, IpProtocols.Udp, false, Gateway, Server, 50000, 53), outbound);
        Assert.Equal(new ConnectionTuple(Zone, IpProtocols.Udp, false, Server, Inside, 53, InsidePort), inbound);
    }

    [Fact]
    public void An_uncommitted_dnat_rewrites_the_new_packet_at_once_and_the_later_commit_translates_its_connection()
    {
        var request = Frames.Udp(Server, Floating, 41000, 22);
        var now = _clock.GetTimestamp();
        Assert.Equal(CtState.Tracked | CtState.New, Track(request));

        Assert.True(_tracker.Translate(request, Offsets(request), partialChecksum: false, new NatTranslation(NatSide.Destination, Inside)));
        Assert.Equal(Frames.Udp(Server, Inside, 41000, 22), request);
        Assert.Equal(0, _tracker.Count);
        Assert.True(_tracker.Commit(now));

        var answer = Frames.Udp(Inside, Server, 22, 41000);
        Assert.Equal(CtState.Tracked | CtState.Established | CtState.Reply, TrackTranslated(answer));
        Assert.Equal(Frames.Udp(Floating, Server, 22, 41000), answer);
        Assert.Equal(1L, _tracker.Translated);
    }

    [Fact]
    public void An_uncommitted_dnat_that_no_commit_follows_leaves_nothing_behind_for_the_next_packet()
    {
        var refused = Frames.Udp(Server, Floating, 41000, 22);
        Track(refused);
        _tracker.Translate(refused, Offsets(refused), partialChecksum: false, new NatTranslation(NatSide.Destination, Inside));
        var other = Frames.Udp(Server, Inside2, 41001, 22);
        Track(other);

        Assert.True(_tracker.Commit(_clock.GetTimestamp()));

        Assert.Equal(0L, _tracker.Translated);
        Assert.Equal(CtState.Tracked | CtState.New, Track(Frames.Udp(Server, Floating, 41000, 22)));
    }

    private static HeaderOffsets Offsets(byte[] frame)
    {
        FlowKeyExtractor.Extract(frame, 1, out _, out var offsets);
        return offsets;
    }

    private CtCommitResult Commit(ConnectionTracker tracker, byte[] frame, NatTranslation nat)
    {
        var now = _clock.GetTimestamp();
        tracker.Track(Zone, frame, Offsets(frame), now);
        var result = tracker.Commit(now, nat);
        if (result == CtCommitResult.Committed)
        {
            Assert.True(tracker.Translate(frame, Offsets(frame), partialChecksum: false));
        }

        return result;
    }

    private CtState Track(byte[] frame) => _tracker.Track(Zone, frame, Offsets(frame), _clock.GetTimestamp());

    private CtState TrackTranslated(byte[] frame)
    {
        var state = Track(frame);
        Assert.True(_tracker.Translate(frame, Offsets(frame), partialChecksum: false));
        return state;
    }

    private CtCommitResult CommitTranslated(byte[] frame, NatTranslation nat) => Commit(_tracker, frame, nat);
}
