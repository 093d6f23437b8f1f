using Sdn.Common.Packets;
using Sdn.Fabric.Core.Links;
using Sdn.Fabric.Core.Tests.Support;

namespace Sdn.Fabric.Core.Tests.Links;

/// <summary>TCP super-frames on links: carried whole where the peer can take them, cut into segments where it cannot.</summary>
public class SuperFrameLinkTests
{
    private const int Payload = 60_000;
    private const ushort Mss = 1448;
    private static readonly byte[] Labels = [0x00, 0x10, 0x00, 0x40, 0x00, 0x20, 0x01, 0x40];

    [Fact]
    public void An_in_memory_link_carries_a_super_frame_whole_with_its_offload()
    {
        var (a, b) = InMemoryLink.CreatePair("a", "b");
        var (frame, offload) = LabelledSuperFrame();

        Assert.Equal(1, a.Send(BurstOf(frame, offload)));

        var received = new PacketBurst(superFrames: true);
        Assert.Equal(1, b.Receive(received));
        Assert.Equal(frame, received.Frame(0).ToArray());
        Assert.Equal(offload, received.Offload(0));
    }

    [Fact]
    public void An_mpls_in_udp_link_sends_a_super_frame_as_segments_under_its_labels()
    {
        var (a, b) = LinkPairs.CreateUdp();
        using (a)
        using (b)
        {
            var (frame, offload) = LabelledSuperFrame();

            Assert.Equal(1, a.Send(BurstOf(frame, offload)));

            var segments = LinkPairs.ReceiveFrames(b, (Payload + Mss - 1) / Mss);
            Assert.All(segments, s => Assert.Equal(Labels, s[..Labels.Length]));
            SuperFrames.AssertSegmentsOf(false, Payload, Mss, SuperFrames.PshAck, segments, prefix: Labels.Length);
            Assert.Equal(segments.Count, a.Statistics.TxFrames);
        }
    }

    [Fact]
    public void An_in_memory_link_into_an_impaired_end_sends_segments_the_impairment_can_hold()
    {
        var (a, b) = InMemoryLink.CreatePair("a", "b");
        b.Impair(new LinkImpairment(LossRate: 0, Delay: TimeSpan.FromMilliseconds(1), ReorderRate: 0, Seed: 1));
        var (frame, offload) = LabelledSuperFrame();

        Assert.Equal(1, a.Send(BurstOf(frame, offload)));

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

            Assert.Equal(0, a.Send(BurstOf(frame, misfit)));

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

    private static (byte[] Frame, FrameOffload Offload) LabelledSuperFrame()
    {
        var (frame, offload) = SuperFrames.Tcp(ipv6: false, Payload, Mss);
        return ([.. Labels, .. frame], offload);
    }

    private static PacketBurst BurstOf(byte[] frame, FrameOffload offload)
    {
        var burst = new PacketBurst(superFrames: true);
        Assert.True(burst.TryAppend(frame, offload));
        return burst;
    }
}
