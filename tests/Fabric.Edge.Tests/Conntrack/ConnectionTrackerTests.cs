using Microsoft.Extensions.Time.Testing;
using Sdn.Common.Packets;
using Sdn.Fabric.Edge.Conntrack;
using Sdn.Fabric.Edge.Tests.Support;

namespace Sdn.Fabric.Edge.Tests.Conntrack;

/// <summary>The tracker on real frames: TCP's states and timeouts, UDP and ICMP exchanges, related errors, zones and the bound.</summary>
public class ConnectionTrackerTests
{
    private const ushort Zone = 7;
    private const uint Client = 0x0A_00_01_1F;
    private const uint Server = 0x0A_00_02_1F;
    private const ushort ClientPort = 40000;
    private const ushort ServerPort = 5432;
    private const CtState New = CtState.Tracked | CtState.New;
    private const CtState Established = CtState.Tracked | CtState.Established;
    private const CtState Reply = CtState.Tracked | CtState.Established | CtState.Reply;
    private const CtState Invalid = CtState.Tracked | CtState.Invalid;
    private static readonly UInt128 Client6 = UInt128.Parse("42540766411282592856903984951653826561"); // 2001:db8::1
    private static readonly UInt128 Server6 = UInt128.Parse("42540766411282592856903984951653826562"); // 2001:db8::2

    private readonly FakeTimeProvider _clock = new();
    private readonly ConnectionTracker _tracker;

    public ConnectionTrackerTests() => _tracker = new ConnectionTracker(16, _clock);

    [Fact]
    public void A_tcp_handshake_goes_new_then_established_both_ways()
    {
        Assert.Equal(New, Commit(Syn()));
        Assert.Equal(Reply, Track(Segment(Server, Client, ServerPort, ClientPort, TcpHeader.Syn | TcpHeader.Ack)));
        Assert.Equal(TcpConnectionState.SynReceived, TcpState());
        Assert.Equal(Established, Track(Segment(Client, Server, ClientPort, ServerPort, TcpHeader.Ack)));
        Assert.Equal(TcpConnectionState.Established, TcpState());
        Assert.Equal(1, _tracker.Created);
    }

    [Fact]
    public void A_syn_retransmitted_before_the_reply_is_still_new_and_adds_nothing()
    {
        Commit(Syn());

        Assert.Equal(New, Commit(Syn()));
        Assert.Equal(1, _tracker.Count);
    }

    [Fact]
    public void Tcp_without_a_syn_opens_nothing_either_way()
    {
        Assert.Equal(Invalid, Track(Segment(Client, Server, ClientPort, ServerPort, TcpHeader.Ack)));
        Assert.Equal(Invalid, Track(Segment(Server, Client, ServerPort, ClientPort, TcpHeader.Syn | TcpHeader.Ack)));
        Assert.True(_tracker.Commit(_clock.GetTimestamp()));
        Assert.Equal(0, _tracker.Count);
    }

    [Fact]
    public void A_lookup_without_a_commit_adds_no_connection()
    {
        Assert.Equal(New, Track(Syn()));

        Assert.Equal(Invalid, Track(Segment(Server, Client, ServerPort, ClientPort, TcpHeader.Syn | TcpHeader.Ack)));
    }

    [Fact]
    public void Fins_both_ways_reach_time_wait_and_a_new_syn_reopens_the_port()
    {
        Handshake();
        Track(Segment(Client, Server, ClientPort, ServerPort, TcpHeader.Fin | TcpHeader.Ack));
        Assert.Equal(TcpConnectionState.FinWait, TcpState());
        Track(Segment(Server, Client, ServerPort, ClientPort, TcpHeader.Fin | TcpHeader.Ack));
        Assert.Equal(TcpConnectionState.TimeWait, TcpState());

        Assert.Equal(New, Commit(Syn()));
        Assert.Equal(TcpConnectionState.SynSent, TcpState());
        Assert.Equal(2, _tracker.Created);
    }

    [Fact]
    public void A_reset_closes_the_connection_and_it_expires_after_the_close_timeout()
    {
        Handshake();
        Assert.Equal(Reply, Track(Segment(Server, Client, ServerPort, ClientPort, TcpHeader.Rst)));
        Assert.Equal(TcpConnectionState.Closed, TcpState());

        _clock.Advance(ConntrackTimeouts.Default.TcpClosed);

        Assert.Equal(Invalid, Track(Segment(Client, Server, ClientPort, ServerPort, TcpHeader.Ack)));
        Assert.Equal(1, _tracker.Expired);
    }

    [Fact]
    public void Each_tcp_state_lives_as_long_as_its_timeout()
    {
        Commit(Syn());
        _clock.Advance(ConntrackTimeouts.Default.TcpSynSent - TimeSpan.FromSeconds(1));
        Assert.Equal(Reply, Track(Segment(Server, Client, ServerPort, ClientPort, TcpHeader.Syn | TcpHeader.Ack)));
        Track(Segment(Client, Server, ClientPort, ServerPort, TcpHeader.Ack));

        _clock.Advance(TimeSpan.FromDays(4));
        Assert.Equal(Reply, Track(Segment(Server, Client, ServerPort, ClientPort, TcpHeader.Ack)));
        _clock.Advance(ConntrackTimeouts.Default.TcpEstablished);

        Assert.Equal(Invalid, Track(Segment(Server, Client, ServerPort, ClientPort, TcpHeader.Ack)));
    }

    [Fact]
    public void An_unanswered_syn_expires_after_the_syn_sent_timeout()
    {
        Commit(Syn());
        _clock.Advance(ConntrackTimeouts.Default.TcpSynSent);

        Assert.Equal(Invalid, Track(Segment(Server, Client, ServerPort, ClientPort, TcpHeader.Syn | TcpHeader.Ack)));
    }

    [Fact]
    public void Udp_is_new_until_answered_and_lives_longer_once_it_is()
    {
        Assert.Equal(New, Commit(Frames.Udp(Client, Server, ClientPort, 53)));
        Assert.Equal(New, Track(Frames.Udp(Client, Server, ClientPort, 53)));
        Assert.Equal(Reply, Track(Frames.Udp(Server, Client, 53, ClientPort)));
        Assert.Equal(Established, Track(Frames.Udp(Client, Server, ClientPort, 53)));

        _clock.Advance(ConntrackTimeouts.Default.UdpUnreplied + TimeSpan.FromSeconds(1));

        Assert.Equal(Reply, Track(Frames.Udp(Server, Client, 53, ClientPort)));
        Assert.Equal(New, Track(Frames.Udp(Server, Client, 53, ClientPort + 1)));
    }

    [Fact]
    public void An_unanswered_udp_exchange_expires_after_its_timeout()
    {
        Commit(Frames.Udp(Client, Server, ClientPort, 53));
        _clock.Advance(ConntrackTimeouts.Default.UdpUnreplied);

        Assert.Equal(New, Track(Frames.Udp(Server, Client, 53, ClientPort)));
    }

    [Fact]
    public void An_echo_request_opens_an_exchange_its_reply_belongs_to_and_a_lone_reply_is_invalid()
    {
        Assert.Equal(Invalid, Track(Frames.Echo(Server, Client, 0, 99)));
        Assert.Equal(New, Commit(Frames.Echo(Client, Server, 8, 99)));

        Assert.Equal(Reply, Track(Frames.Echo(Server, Client, 0, 99)));
        Assert.Equal(Invalid, Track(Frames.Echo(Server, Client, 0, 100)));
    }

    [Fact]
    public void An_icmp_error_quoting_a_connection_is_related_and_a_reply()
    {
        var datagram = Frames.Udp(Client, Server, ClientPort, 9);
        Commit(datagram);

        Assert.Equal(CtState.Tracked | CtState.Related | CtState.Reply, Track(Frames.IcmpError(Server, Client, 3, 3, datagram)));
        Assert.Equal(Invalid, Track(Frames.IcmpError(Server, Client, 3, 3, Frames.Udp(Client, Server, ClientPort, 10))));
    }

    [Fact]
    public void An_icmp_error_about_a_reply_goes_the_original_way()
    {
        Commit(Frames.Udp(Client, Server, ClientPort, 9));
        var answer = Frames.Udp(Server, Client, 9, ClientPort);

        Assert.Equal(CtState.Tracked | CtState.Related, Track(Frames.IcmpError(Client, Server, 3, 3, answer)));
    }

    [Fact]
    public void Ipv6_tcp_and_icmpv6_errors_are_tracked_alike()
    {
        var syn = Frames.Tcp6Segment(Client6, Server6, ClientPort, ServerPort, TcpHeader.Syn);
        Assert.Equal(New, Commit(syn));
        Assert.Equal(Reply, Track(Frames.Tcp6Segment(Server6, Client6, ServerPort, ClientPort, TcpHeader.Syn | TcpHeader.Ack)));
        Assert.Equal(CtState.Tracked | CtState.Related | CtState.Reply, Track(Frames.Icmp6Error(Server6, Client6, 1, 4, syn)));

        Assert.Equal(New, Commit(Frames.Echo(Client6, Server6, 128, 5, ipv6: true)));
        Assert.Equal(Reply, Track(Frames.Echo(Server6, Client6, 129, 5, ipv6: true)));
    }

    [Fact]
    public void Zones_keep_the_same_tuple_apart()
    {
        Commit(Syn());

        Assert.Equal(Invalid, _tracker.Track(Zone + 1, Segment(Server, Client, ServerPort, ClientPort, TcpHeader.Syn | TcpHeader.Ack), Offsets(Syn()), _clock.GetTimestamp()));
        Assert.Equal(Reply, Track(Segment(Server, Client, ServerPort, ClientPort, TcpHeader.Syn | TcpHeader.Ack)));
    }

    [Fact]
    public void A_full_table_refuses_new_connections_while_the_ones_it_holds_go_on()
    {
        var tracker = new ConnectionTracker(2, _clock);
        var now = _clock.GetTimestamp();
        for (ushort port = 1; port <= 3; port++)
        {
            var frame = Segment(Client, Server, port, ServerPort, TcpHeader.Syn);
            tracker.Track(Zone, frame, Offsets(frame), now);
            Assert.Equal(port <= 2, tracker.Commit(now));
        }

        var reply = Segment(Server, Client, ServerPort, 1, TcpHeader.Syn | TcpHeader.Ack);
        Assert.Equal(Reply, tracker.Track(Zone, reply, Offsets(reply), now));
        Assert.Equal((2, 1L), (tracker.Count, tracker.Refused));
    }

    [Fact]
    public void A_full_table_takes_a_new_connection_in_place_of_an_expired_one()
    {
        var tracker = new ConnectionTracker(1, _clock);
        var first = Frames.Udp(Client, Server, 1, 53);
        tracker.Track(Zone, first, Offsets(first), _clock.GetTimestamp());
        Assert.True(tracker.Commit(_clock.GetTimestamp()));
        _clock.Advance(ConntrackTimeouts.Default.UdpUnreplied);

        var second = Frames.Udp(Client, Server, 2, 53);
        tracker.Track(Zone, second, Offsets(second), _clock.GetTimestamp());

        Assert.True(tracker.Commit(_clock.GetTimestamp()));
        Assert.Equal((1, 0L, 1L), (tracker.Count, tracker.Refused, tracker.Expired));
    }

    [Fact]
    public void A_sweep_frees_expired_connections_nobody_looks_up()
    {
        Commit(Frames.Udp(Client, Server, 1, 53));
        Commit(Frames.Udp(Client, Server, 2, 53));
        _clock.Advance(ConntrackTimeouts.Default.UdpUnreplied);

        _tracker.Sweep(_clock.GetTimestamp());

        Assert.Equal((0, 2L), (_tracker.Count, _tracker.Expired));
    }

    [Fact]
    public void A_later_fragment_and_a_non_ip_frame_are_invalid()
    {
        var fragment = FragmentOfUdp();

        Assert.Equal(Invalid, Track(fragment));
        Assert.Equal(Invalid, Track(Frames.Arp(1, Keys.MacA, Client, 0, Server, Keys.MacB)));
    }

    [Fact]
    public void Peek_tells_the_state_and_changes_nothing()
    {
        Commit(Syn());
        var synAck = Segment(Server, Client, ServerPort, ClientPort, TcpHeader.Syn | TcpHeader.Ack);

        Assert.Equal(Reply, _tracker.Peek(Zone, synAck, Offsets(synAck), _clock.GetTimestamp()));
        Assert.Equal(TcpConnectionState.SynSent, TcpState());
    }

    [Fact]
    public void Tracking_and_committing_allocate_nothing()
    {
        var syn = Syn();
        var offsets = Offsets(syn);
        var reply = Segment(Server, Client, ServerPort, ClientPort, TcpHeader.Ack);
        var replyOffsets = Offsets(reply);

        Allocations.AssertNone(() =>
        {
            for (var i = 0; i < 100; i++)
            {
                var now = _clock.GetTimestamp();
                _tracker.Track(Zone, syn, offsets, now);
                _tracker.Commit(now);
                _tracker.Track(Zone, reply, replyOffsets, now);
                _tracker.Sweep(now);
            }
        });
    }

    private static byte[] Syn() => Segment(Client, Server, ClientPort, ServerPort, TcpHeader.Syn);

    private static byte[] Segment(uint source, uint destination, ushort sourcePort, ushort destinationPort, byte flags) =>
        Frames.TcpSegment(source, destination, sourcePort, destinationPort, flags);

    private static byte[] FragmentOfUdp()
    {
        var frame = Frames.Udp(Client, Server, 1, 53);
        frame[EthernetHeader.Size + 7] = 0x10; // fragment offset 16 (128 bytes): a later fragment
        return frame;
    }

    private static HeaderOffsets Offsets(byte[] frame)
    {
        FlowKeyExtractor.Extract(frame, 1, out _, out var offsets);
        return offsets;
    }

    private void Handshake()
    {
        Commit(Syn());
        Track(Segment(Server, Client, ServerPort, ClientPort, TcpHeader.Syn | TcpHeader.Ack));
        Track(Segment(Client, Server, ClientPort, ServerPort, TcpHeader.Ack));
    }

    private CtState Track(byte[] frame) => _tracker.Track(Zone, frame, Offsets(frame), _clock.GetTimestamp());

    private CtState Commit(byte[] frame)
    {
        var state = Track(frame);
        Assert.True(_tracker.Commit(_clock.GetTimestamp()));
        return state;
    }

    private TcpConnectionState TcpState()
    {
        Assert.True(_tracker.TryGet(new ConnectionTuple(Zone, IpProtocols.Tcp, false, Client, Server, ClientPort, ServerPort), _clock.GetTimestamp(), out var tcp, out _)
            || _tracker.TryGet(new ConnectionTuple(Zone, IpProtocols.Tcp, true, Client6, Server6, ClientPort, ServerPort), _clock.GetTimestamp(), out tcp, out _));
        return tcp;
    }
}
