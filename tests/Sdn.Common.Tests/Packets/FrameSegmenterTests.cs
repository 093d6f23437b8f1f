using Sdn.Common.Packets;

namespace Sdn.Common.Tests.Packets;

public class FrameSegmenterTests
{
    [Theory]
    [InlineData(false, 64_000, 1448, SuperFrames.PshAck)]
    [InlineData(true, 64_000, 1428, SuperFrames.PshAck)]
    [InlineData(false, 3000, 1448, SuperFrames.FinPshAckCwr)]
    [InlineData(true, 1000, 1448, SuperFrames.FinPshAckCwr)]
    [InlineData(false, 2896, 1448, SuperFrames.PshAck)]
    public void A_super_frame_is_cut_into_valid_segments_that_carry_its_payload_in_order(bool ipv6, int payload, ushort mss, byte flags)
    {
        var (frame, offload) = SuperFrames.Tcp(ipv6, payload, mss, flags);

        var segments = Cut(frame, offload);

        SuperFrames.AssertSegmentsOf(ipv6, payload, mss, flags, segments);
    }

    [Fact]
    public void More_segments_than_a_burst_holds_come_out_over_several_bursts()
    {
        var (frame, offload) = SuperFrames.Tcp(ipv6: false, payloadLength: 60_000, segmentSize: 536);
        Assert.True(FrameSegmenter.SegmentCount(frame, offload) > PacketBurst.Capacity);

        SuperFrames.AssertSegmentsOf(false, 60_000, 536, SuperFrames.PshAck, Cut(frame, offload));
    }

    [Fact]
    public void Headers_in_front_of_the_ip_header_such_as_labels_are_copied_into_every_segment()
    {
        var (frame, offload) = SuperFrames.Tcp(ipv6: false, payloadLength: 5000, segmentSize: 1448);
        byte[] labels = [0x00, 0x06, 0x41, 0xFF];
        var labelled = labels.Concat(frame).ToArray();

        var segments = Cut(labelled, offload);

        Assert.All(segments, s => Assert.Equal(labels, s[..4]));
        SuperFrames.AssertSegmentsOf(false, 5000, 1448, SuperFrames.PshAck, segments, prefix: 4);
    }

    [Fact]
    public void A_partial_checksum_is_finished_in_place()
    {
        var (frame, offload) = SuperFrames.Tcp(ipv6: false, payloadLength: 700, segmentSize: 1448);

        Assert.True(FrameSegmenter.TryFinishChecksum(frame, offload with { Segmentation = FrameSegmentation.None }));

        SuperFrames.AssertSegmentsOf(false, 700, 1448, SuperFrames.PshAck, [frame]);
    }

    [Theory]
    [InlineData(0, 30)]
    [InlineData(200_000, 30)]
    [InlineData(60, 200_000)]
    [InlineData(60, 0)]
    [InlineData(60, 66)]
    public void An_offload_that_does_not_describe_the_frame_is_refused_without_throwing(int networkFromEnd, int checksumStartFromEnd)
    {
        var (frame, offload) = SuperFrames.Tcp(ipv6: false, payloadLength: 3000, segmentSize: 1448);
        var wrong = offload with { NetworkFromEnd = frame.Length - networkFromEnd, ChecksumStartFromEnd = checksumStartFromEnd == 0 ? 0 : frame.Length - checksumStartFromEnd };
        var burst = new PacketBurst();

        Assert.Equal(-1, FrameSegmenter.AppendSegments(frame, wrong, burst, 0));
        Assert.Equal(0, FrameSegmenter.SegmentCount(frame, wrong));
        Assert.Equal(0, burst.Count);
    }

    [Fact]
    public void Segmentation_of_a_frame_that_is_not_the_ip_version_it_claims_is_refused()
    {
        var (frame, offload) = SuperFrames.Tcp(ipv6: false, payloadLength: 3000, segmentSize: 1448);

        Assert.Equal(-1, FrameSegmenter.AppendSegments(frame, offload with { Segmentation = FrameSegmentation.TcpIpv6 }, new PacketBurst(), 0));
    }

    private static List<byte[]> Cut(byte[] frame, FrameOffload offload)
    {
        var segments = new List<byte[]>();
        var burst = new PacketBurst();
        var count = FrameSegmenter.SegmentCount(frame, offload);
        for (var next = 0; next < count;)
        {
            burst.Clear();
            next = FrameSegmenter.AppendSegments(frame, offload, burst, next);
            Assert.True(next > 0);
            segments.AddRange(Enumerable.Range(0, burst.Count).Select(i => burst.Frame(i).ToArray()));
        }

        return segments;
    }
}
