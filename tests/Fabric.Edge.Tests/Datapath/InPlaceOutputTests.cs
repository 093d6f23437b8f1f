using Sdn.Common.Packets;
using Sdn.Fabric.Edge.Pipeline;
using Sdn.Fabric.Edge.Tests.Support;

namespace Sdn.Fabric.Edge.Tests.Datapath;

/// <summary>A frame the switch received itself and outputs last goes to a port that sends listed frames where it lies.</summary>
public class InPlaceOutputTests
{
    private readonly SwitchRig _rig = new();

    [Fact]
    public void Received_frames_output_last_are_sent_where_they_lie_in_order_and_counted()
    {
        _rig.WithActions(PipelineAction.Output(2));
        byte[][] frames = [Frames.Udp(sourcePort: 1), Frames.Udp(sourcePort: 2, payload: 900), Frames.Udp(sourcePort: 3)];
        foreach (var frame in frames)
        {
            _rig.Port(1).Inject(frame);
        }

        _rig.Switch.Poll();

        Assert.Equal(frames, _rig.Port(2).TakeTransmitted());
        Assert.Equal(3, _rig.Port(2).TransmittedWhereTheyLay);
        var counters = _rig.Switch.Datapath.PortCounters(2)!;
        Assert.Equal(3, counters.TxPackets);
        Assert.Equal(frames.Sum(f => (long)f.Length), counters.TxBytes);
    }

    [Fact]
    public void A_frame_output_twice_is_copied_for_the_first_port_and_lies_for_the_last()
    {
        _rig.WithActions(PipelineAction.Output(2), PipelineAction.Output(3));
        var frame = Frames.Udp();
        _rig.Send(1, frame);

        Assert.Equal(frame, _rig.SingleOut(2));
        Assert.Equal(frame, _rig.SingleOut(3));
        Assert.Equal(0, _rig.Port(2).TransmittedWhereTheyLay);
        Assert.Equal(1, _rig.Port(3).TransmittedWhereTheyLay);
    }

    [Fact]
    public void Copied_and_lying_frames_for_one_port_leave_in_the_order_of_the_burst()
    {
        // Port 2 is the last output of flow B only, so A's frames are copied for it. B's first run lies where it arrived
        // and leaves before the copies that follow; once a copy waits, B's frames queue behind it as copies too.
        _rig.Pipeline.Add(0, 10, FlowMatch.Any.L4Src(1), [PipelineAction.Output(2), PipelineAction.Output(3)]);
        _rig.Pipeline.Add(0, 10, FlowMatch.Any.L4Src(2), [PipelineAction.Output(2)]);
        byte[][] frames = [.. Enumerable.Range(0, 12).Select(i => Frames.Udp(sourcePort: (ushort)(2 - (i / 3 % 2)), payload: 20 + i))];
        foreach (var frame in frames)
        {
            _rig.Port(1).Inject(frame);
        }

        _rig.Switch.Poll();

        Assert.Equal(frames, _rig.Port(2).TakeTransmitted());
        Assert.Equal(3, _rig.Port(2).TransmittedWhereTheyLay);
        Assert.Equal(6, _rig.Port(3).TakeTransmitted().Count);
    }

    [Fact]
    public void A_burst_handed_to_Process_is_copied_to_the_port()
    {
        _rig.WithActions(PipelineAction.PushMpls(), PipelineAction.Output(2));
        var frame = Frames.Udp();
        var burst = new PacketBurst();
        burst.TryAppend(frame);

        _rig.Switch.Datapath.Process(1, burst);

        Assert.Equal(0, _rig.Port(2).TransmittedWhereTheyLay);
        Assert.Equal(frame.Length + MplsLabelStackEntry.Size, _rig.SingleOut(2).Length);
        Assert.Equal(1, _rig.Switch.Datapath.PortCounters(2)!.TxPackets);
    }
}
