using System.Net;
using System.Net.Sockets;
using Sdn.Common.Packets;
using Sdn.Common.Polling;
using Sdn.Fabric.Core.Links;
using Sdn.Fabric.Core.Tests.Support;

namespace Sdn.Fabric.Core.Tests.Links;

public class MplsInUdpLinkTests
{
    [Fact]
    public void Each_frame_is_one_datagram_to_6635_from_a_per_flow_source_port_in_the_dynamic_range()
    {
        using var peer = BoundSocket();
        var local = new IPEndPoint(LinkPairs.NextLoopbackAddress(), MplsInUdpLink.UdpPort);
        using var link = new MplsInUdpLink("a", new MplsInUdpLinkOptions(local, (IPEndPoint)peer.LocalEndPoint!));
        var frames = Enumerable.Range(0, 64).Select(i => MplsFrames.Build([100, 5000], MplsFrames.Payload(flow: i % 16, i))).ToArray();

        Assert.Equal(64, link.Send(MplsFrames.Burst(frames)));

        var portOfFlow = new Dictionary<int, int>();
        var buffer = new byte[4096];
        for (var i = 0; i < 64; i++)
        {
            EndPoint from = new IPEndPoint(IPAddress.Any, 0);
            var length = peer.ReceiveFrom(buffer, ref from);
            var source = (IPEndPoint)from;
            var datagram = buffer[..length];
            Assert.Contains(frames, f => f.AsSpan().SequenceEqual(datagram));
            Assert.Equal(local.Address, source.Address);
            Assert.InRange(source.Port, 49152, 65535);
            Assert.Contains(source.Port, link.SourcePorts);
            var flow = MplsFrames.FlowOf(datagram.AsSpan(8));
            Assert.Equal(portOfFlow.GetValueOrDefault(flow, source.Port), source.Port);
            portOfFlow[flow] = source.Port;
        }

        Assert.True(portOfFlow.Values.Distinct().Count() > 2, "16 flows should spread over several source ports");
    }

    [Fact]
    public void Frames_coalesced_for_segmentation_offload_still_arrive_one_per_datagram_in_order()
    {
        using var peer = BoundSocket();
        var local = new IPEndPoint(LinkPairs.NextLoopbackAddress(), MplsInUdpLink.UdpPort);
        using var link = new MplsInUdpLink("a", new MplsInUdpLinkOptions(local, (IPEndPoint)peer.LocalEndPoint!));
        int[] payloadLengths = [64, 64, 64, 100, 64, 1600, 1600, 64, 64, 30];
        var frames = payloadLengths.Select((length, i) =>
        {
            var payload = new byte[length];
            payload.AsSpan(12).Fill((byte)i); // the inner MACs stay equal: one flow, one source port, one order
            return MplsFrames.Build([100, 5000], payload);
        }).ToArray();

        Assert.Equal(frames.Length, link.Send(MplsFrames.Burst(frames)));

        var buffer = new byte[4096];
        foreach (var frame in frames)
        {
            Assert.Equal(frame, buffer[..peer.Receive(buffer)]);
        }

        Assert.Equal(frames.Sum(f => (long)f.Length), link.Statistics.TxBytes);
    }

    [Fact]
    public void Datagrams_from_a_stranger_are_counted_and_dropped()
    {
        var (a, b) = LinkPairs.CreateUdp();
        using (a)
        using (b)
        using (var stranger = BoundSocket())
        {
            stranger.SendTo(MplsFrames.Build([100], MplsFrames.Payload(1, 0)), b.LocalEndPoint);

            Assert.Empty(LinkPairs.ReceiveFrames(b, 1));
            Assert.Equal(1, b.Statistics.RxForeign);
            Assert.Equal(0, b.Statistics.RxFrames);
        }
    }

    [Fact]
    public void Empty_and_oversized_datagrams_are_counted_as_malformed()
    {
        using var peer = BoundSocket();
        var local = new IPEndPoint(LinkPairs.NextLoopbackAddress(), MplsInUdpLink.UdpPort);
        using var link = new MplsInUdpLink("a", new MplsInUdpLinkOptions(local, (IPEndPoint)peer.LocalEndPoint!));

        peer.SendTo([], local);
        peer.SendTo(new byte[3000], local);
        peer.SendTo(MplsFrames.Build([100], MplsFrames.Payload(1, 0)), local);

        Assert.Single(LinkPairs.ReceiveFrames(link, 2));
        Assert.Equal(2, link.Statistics.RxMalformed);
    }

    [Fact]
    public void Binding_an_address_already_in_use_says_what_to_change()
    {
        var (a, b) = LinkPairs.CreateUdp();
        using (a)
        using (b)
        {
            var error = Assert.Throws<LinkException>(() => new MplsInUdpLink("c", new MplsInUdpLinkOptions(a.LocalEndPoint, b.LocalEndPoint)));

            Assert.Contains(a.LocalEndPoint.ToString(), error.Message, StringComparison.Ordinal);
            Assert.Contains("own local address", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_socket_handed_over_bound_elsewhere_is_refused_and_closed()
    {
        using var peer = BoundSocket();
        var local = new IPEndPoint(LinkPairs.NextLoopbackAddress(), MplsInUdpLink.UdpPort);
        var elsewhere = BoundSocket();

        var error = Assert.Throws<LinkException>(() => new MplsInUdpLink("a", new MplsInUdpLinkOptions(local, (IPEndPoint)peer.LocalEndPoint!), elsewhere));

        Assert.Contains($"not {local}", error.Message, StringComparison.Ordinal);
        Assert.Throws<ObjectDisposedException>(() => elsewhere.LocalEndPoint);
    }

    [Fact]
    public void Ends_sharing_a_nodes_address_and_port_each_receive_their_own_peers_frames_only()
    {
        var hub = new IPEndPoint(LinkPairs.NextLoopbackAddress(), MplsInUdpLink.UdpPort);
        var first = new IPEndPoint(LinkPairs.NextLoopbackAddress(), MplsInUdpLink.UdpPort);
        var second = new IPEndPoint(LinkPairs.NextLoopbackAddress(), MplsInUdpLink.UdpPort);
        using var toFirst = new MplsInUdpLink("to-first", new MplsInUdpLinkOptions(hub, first) { SharesLocalPort = true });
        using var toSecond = new MplsInUdpLink("to-second", new MplsInUdpLinkOptions(hub, second) { SharesLocalPort = true });
        using var firstEnd = new MplsInUdpLink("first", new MplsInUdpLinkOptions(first, hub));
        using var secondEnd = new MplsInUdpLink("second", new MplsInUdpLinkOptions(second, hub));
        var fromFirst = Enumerable.Range(0, 16).Select(i => MplsFrames.Build([100], MplsFrames.Payload(flow: i, 1))).ToArray();
        var fromSecond = Enumerable.Range(0, 16).Select(i => MplsFrames.Build([200], MplsFrames.Payload(flow: i, 2))).ToArray();

        firstEnd.Send(MplsFrames.Burst(fromFirst));
        secondEnd.Send(MplsFrames.Burst(fromSecond));
        toFirst.Send(MplsFrames.Burst([fromFirst[0]]));

        // Flows leave from different source ports, so only each flow's own order holds: compare as sets.
        Assert.Equal(Hex(fromFirst), Hex(LinkPairs.ReceiveFrames(toFirst, 17)));
        Assert.Equal(Hex(fromSecond), Hex(LinkPairs.ReceiveFrames(toSecond, 17)));
        Assert.Equal([fromFirst[0]], LinkPairs.ReceiveFrames(firstEnd, 1));
    }

    [Fact]
    public void A_receive_skips_its_read_while_its_nodes_last_survey_found_the_socket_quiet()
    {
        var (a, b) = LinkPairs.CreateUdp();
        using (a)
        using (b)
        {
            // A second descriptor on the doorbell, as a node's other ports are: a survey of one asks nothing.
            using var neighbour = BoundSocket();
            var doorbell = new Doorbell();
            b.WakeOnArrival(doorbell);
            new WatchedDescriptor((int)neighbour.Handle).WakeOn(doorbell);
            var burst = new PacketBurst();
            doorbell.Survey();

            // Loopback delivers within the send, so the frame waits in b's socket before b reads.
            Assert.Equal(1, a.Send(MplsFrames.Burst([MplsFrames.Build([100], MplsFrames.Payload(flow: 1, 0))])));

            Assert.Equal(0, b.Receive(burst));
            doorbell.Survey();
            Assert.Equal(1, b.Receive(burst));
        }
    }

    private static IEnumerable<string> Hex(IEnumerable<byte[]> frames) => frames.Select(Convert.ToHexString).Order(StringComparer.Ordinal);

    private static Socket BoundSocket()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveTimeout = 2000 };
        socket.Bind(new IPEndPoint(LinkPairs.NextLoopbackAddress(), 0));
        return socket;
    }
}
