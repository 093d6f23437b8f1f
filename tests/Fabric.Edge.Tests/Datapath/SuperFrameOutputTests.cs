using Sdn.Common.Capture;
using Sdn.Common.Packets;
using Sdn.Fabric.Edge.Datapath;
using Sdn.Fabric.Edge.Pipeline;
using Sdn.Fabric.Edge.Tests.Support;

namespace Sdn.Fabric.Edge.Tests.Datapath;

/// <summary>A TCP super-frame through the switch: whole to a port that takes offloads, segmented to one that does not.</summary>
public class SuperFrameOutputTests
{
    private const int Payload = 50_000;
    private const ushort Mss = 1448;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_port_that_cannot_take_a_super_frame_is_sent_its_segments(bool ipv6)
    {
        var rig = new SwitchRig().WithActions(PipelineAction.Output(2));
        var (frame, offload) = SuperFrames.Tcp(ipv6, Payload, Mss);

        rig.Switch.Datapath.Process(1, BurstOf(frame, offload));

        SuperFrames.AssertSegmentsOf(ipv6, Payload, Mss, SuperFrames.PshAck, rig.Port(2).TakeTransmitted());
    }

    [Fact]
    public void A_port_that_takes_offloads_is_sent_the_super_frame_whole_with_its_offload_and_others_get_segments()
    {
        var rig = new SwitchRig().WithActions(PipelineAction.Output(2), PipelineAction.Output(5));
        var offloading = new OffloadingPort(5);
        rig.Switch.AddPort(offloading);
        var (frame, offload) = SuperFrames.Tcp(ipv6: false, Payload, Mss);

        rig.Switch.Datapath.Process(1, BurstOf(frame, offload));

        var (whole, carried) = Assert.Single(offloading.Transmitted);
        Assert.Equal(frame, whole);
        Assert.Equal(offload, carried);
        SuperFrames.AssertSegmentsOf(false, Payload, Mss, SuperFrames.PshAck, rig.Port(2).TakeTransmitted());
    }

    [Fact]
    public void A_super_frame_whose_offload_does_not_fit_it_is_counted_and_dropped()
    {
        var rig = new SwitchRig().WithActions(PipelineAction.Output(2));
        var (frame, offload) = SuperFrames.Tcp(ipv6: false, Payload, Mss);

        rig.Switch.Datapath.Process(1, BurstOf(frame, offload with { ChecksumStartFromEnd = frame.Length + 10 }));

        Assert.Empty(rig.Port(2).TakeTransmitted());
        Assert.Equal(1, rig.Switch.Datapath.Counters.Unsendable);
    }

    [Fact]
    public void A_capture_records_the_super_frame_at_its_full_length_where_it_enters_and_its_segments_where_they_leave()
    {
        var rig = new SwitchRig().WithActions(PipelineAction.Output(2));
        using var session = new CaptureSession([new("e1/p1", "in"), new("e1/p2", "out")], new CaptureOptions(Filter: "tcp", SnapLength: 128));
        rig.Switch.Datapath.CaptureTap(1)!.Attach(session, 0);
        rig.Switch.Datapath.CaptureTap(2)!.Attach(session, 1);
        var (frame, offload) = SuperFrames.Tcp(ipv6: false, Payload, Mss);

        rig.Switch.Datapath.Process(1, BurstOf(frame, offload));

        var recorder = new LengthRecorder([]);
        session.Drain(ref recorder);
        var segments = rig.Port(2).TakeTransmitted();
        Assert.Equal((0, 128, frame.Length), recorder.Frames[0]);
        Assert.Equal(segments.Select(s => (1, 128, s.Length)), recorder.Frames.Skip(1));
    }

    private static PacketBurst BurstOf(byte[] frame, FrameOffload offload)
    {
        var burst = new PacketBurst(superFrames: true);
        Assert.True(burst.TryAppend(frame, offload));
        return burst;
    }

    private readonly struct LengthRecorder(List<(int Port, int Captured, int Original)> frames) : ICapturedFrameReader
    {
        public List<(int Port, int Captured, int Original)> Frames { get; } = frames;

        public void Read(CapturedFrame frame) => Frames.Add((frame.PortIndex, frame.Bytes.Length, frame.OriginalLength));
    }

    /// <summary>A port that, like a TAP with offloads, takes super-frames, and keeps what it is sent.</summary>
    private sealed class OffloadingPort(uint number) : IEdgePort
    {
        public uint Number { get; } = number;

        public string Name => "offloading";

        public bool TakesOffloads => true;

        public List<(byte[] Frame, FrameOffload Offload)> Transmitted { get; } = [];

        public int Receive(PacketBurst burst) => 0;

        public int Transmit(PacketBurst burst)
        {
            for (var i = 0; i < burst.Count; i++)
            {
                Transmitted.Add((burst.Frame(i).ToArray(), burst.Offload(i)));
            }

            return burst.Count;
        }
    }
}
