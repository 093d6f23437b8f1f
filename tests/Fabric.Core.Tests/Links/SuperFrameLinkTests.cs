using Sdn.Common.Packets;
using Sdn.Fabric.Core.Links;
using Sdn.Fabric.Core.Tests.Support;

namespace Sdn.Fabric.Core.Tests.Links;

/// <summary>TCP super-frames on links: carried whole where the peer can take them, cut into segments where it cannot.</summary>
public class SuperFrameLinkTests
{
    private const int Payload = LabelledSuperFrames.Payload;
    private const ushort Mss = LabelledSuperFrames.Mss;
    private static readonly byte[] Labels = LabelledSuperFrames.Labels;

    [Fact]
    public void An_in_memory_link_carries_a_super_frame_whole_with_its_offload()
    {
        var (a, b) = InMemoryLink.CreatePair("a", "b");
        var (frame, offload) = LabelledSuperFrames.Create();

        Assert.Equal(1, a.Send(LabelledSuperFrames.BurstOf(frame, offload)));

        var received = new PacketBurst(superFrames: true);
        Assert.Equal(1, b.Receive(received));
        Assert.Equal(frame, received.Frame(0).ToArray());
        Assert.Equal(offload, received.Offload(0));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void An_mpls_in_udp_link_carries_a_super_frame_as_one_datagram_with_its_offload(bool ipv6)
    {
        var (a, b) = LinkPairs.CreateUdp();
        using (a)
        using (b)
        {
            var (frame, offload) = LabelledSuperFrames.Create(ipv6);
            var sent = LabelledSuperFrames.BurstOf(frame, offload);

            Assert.Equal(1, a.Send(sent));

            var received = ReceiveSuperFrames(b, 1);
            Assert.Equal(1, received.Count);
            Assert.Equal(frame, received.Frame(0).ToArray());
            Assert.Equal(offload, received.Offload(0));
            Assert.Equal(frame, sent.Frame(0).ToArray());
            Assert.Equal((1L, (long)frame.Length), (a.Statistics.TxFrames, a.Statistics.TxBytes));

            // What arrived is a super-frame the far edge can hand on: cut here, it makes valid segments.
            var segments = new PacketBurst();
            Assert.Equal(offload.SegmentSize == 0 ? 0 : (Payload + Mss - 1) / Mss, FrameSegmenter.AppendSegments(received.Frame(0), received.Offload(0), segments, 0));
            SuperFrames.AssertSegmentsOf(ipv6, Payload, Mss, SuperFrames.PshAck, [.. Enumerable.Range(0, segments.Count).Select(i => segments.Frame(i).ToArray())], prefix: Labels.Length);
        }
    }

    [Fact]
    public void A_super_frame_no_longer_than_a_plain_frame_crosses_an_mpls_in_udp_link_as_segments()
    {
        const int ShortPayload = 1200;
        const ushort SmallMss = 536;
        var (a, b) = LinkPairs.CreateUdp();
        using (a)
        using (b)
        {
            var (tcp, offload) = SuperFrames.Tcp(ipv6: false, ShortPayload, SmallMss);

            Assert.Equal(1, a.Send(LabelledSuperFrames.BurstOf([.. Labels, .. tcp], offload)));

            var segments = LinkPairs.ReceiveFrames(b, 3);
            SuperFrames.AssertSegmentsOf(false, ShortPayload, SmallMss, SuperFrames.PshAck, segments, prefix: Labels.Length);
        }
    }

    [Fact]
    public void A_frame_with_only_its_checksum_left_crosses_an_mpls_in_udp_link_finished_and_the_senders_burst_is_unchanged()
    {
        var (a, b) = LinkPairs.CreateUdp();
        using (a)
        using (b)
        {
            var (tcp, superOffload) = SuperFrames.Tcp(ipv6: false, Mss, Mss);
            byte[] frame = [.. Labels, .. tcp];
            var sent = LabelledSuperFrames.BurstOf(frame, superOffload with { Segmentation = FrameSegmentation.None, SegmentSize = 0 });

            Assert.Equal(1, a.Send(sent));

            var arrived = Assert.Single(LinkPairs.ReceiveFrames(b, 1));
            SuperFrames.AssertSegmentsOf(false, Mss, Mss, SuperFrames.PshAck, [arrived], prefix: Labels.Length);
            Assert.Equal(frame, sent.Frame(0).ToArray());
        }
    }

    [Fact]
    public void A_datagram_longer_than_a_plain_frame_that_is_no_tcp_super_frame_is_counted_as_malformed()
    {
        var (a, b) = LinkPairs.CreateUdp();
        using (a)
        using (b)
        {
            // Labels, then an Ethernet frame of EtherType 0 and zeros: too long for a plain frame, and no IP in it.
            Assert.Equal(1, a.Send(LabelledSuperFrames.BurstOf([.. Labels, .. new byte[PacketBurst.MaxFrameLength]], FrameOffload.None)));

            var deadline = DateTime.UtcNow.AddSeconds(1);
            var received = new PacketBurst(superFrames: true);
            while (b.Statistics.RxMalformed == 0 && DateTime.UtcNow < deadline)
            {
                b.Receive(received);
                Thread.Sleep(1);
            }

            Assert.Equal((0, 1L), (received.Count, b.Statistics.RxMalformed));
        }
    }

    [Fact]
    public void An_in_memory_link_into_an_impaired_end_sends_segments_the_impairment_can_hold()
    {
        var (a, b) = InMemoryLink.CreatePair("a", "b");
        b.Impair(new LinkImpairment(LossRate: 0, Delay: TimeSpan.FromMilliseconds(1), ReorderRate: 0, Seed: 1));
        var (frame, offload) = LabelledSuperFrames.Create();

        Assert.Equal(1, a.Send(LabelledSuperFrames.BurstOf(frame, offload)));

        var segments = LinkPairs.ReceiveFrames(b, (Payload + Mss - 1) / Mss);
        SuperFrames.AssertSegmentsOf(false, Payload, Mss, SuperFrames.PshAck, segments, prefix: Labels.Length);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_frame_whose_offload_does_not_fit_it_is_counted_as_dropped_and_nothing_of_it_is_sent(bool segmented)
    {
        var (a, b) = LinkPairs.CreateUdp();
        using (a)
        using (b)
        {
            // A super-frame to cut, or one segment's worth whose checksum only is left to do.
            var (tcp, offload) = SuperFrames.Tcp(ipv6: false, segmented ? Payload : Mss, Mss);
            byte[] frame = [.. Labels, .. tcp];
            var misfit = offload with
            {
                ChecksumStartFromEnd = frame.Length + 10,
                Segmentation = segmented ? offload.Segmentation : FrameSegmentation.None,
            };

            Assert.Equal(0, a.Send(LabelledSuperFrames.BurstOf(frame, misfit)));

            Assert.Equal((0L, 1L), (a.Statistics.TxFrames, a.Statistics.TxDropped));
            Assert.Empty(LinkPairs.ReceiveFrames(b, 1));
        }
    }

    [Fact]
    public void Super_frames_and_small_frames_wrap_around_a_ring_in_order()
    {
        var ring = new FrameRing(capacity: 16, byteCapacity: 3 * PacketBurst.MaxSuperFrameLength);
        var queued = new Queue<byte[]>();
        var random = new Random(5);
        for (var round = 0; round < 200; round++)
        {
            var frame = new byte[random.Next(2) == 0 ? random.Next(60, 1500) : random.Next(30_000, PacketBurst.MaxSuperFrameLength)];
            random.NextBytes(frame);
            if (ring.TryEnqueue(frame))
            {
                queued.Enqueue(frame);
            }

            while (queued.Count > 0 && (random.Next(3) == 0 || queued.Count == 16))
            {
                Assert.True(ring.TryPeek(out var oldest, out _));
                Assert.Equal(queued.Dequeue(), oldest.ToArray());
                ring.Dequeue();
            }
        }

        Assert.Equal(queued.Count, ring.Count);
    }

    /// <summary>Receives on <paramref name="link"/> into a super-frame burst until <paramref name="count"/> frames arrived or a second passed.</summary>
    private static PacketBurst ReceiveSuperFrames(LinkEnd link, int count)
    {
        var burst = new PacketBurst(superFrames: true);
        var deadline = DateTime.UtcNow.AddSeconds(1);
        while (burst.Count < count && DateTime.UtcNow < deadline)
        {
            if (link.Receive(burst) == 0)
            {
                Thread.Sleep(1);
            }
        }

        return burst;
    }
}
