using Sdn.Common.Packets;
using Sdn.Fabric.Edge.Datapath;
using Sdn.Fabric.Edge.Pipeline;
using Sdn.Fabric.Edge.Tests.Support;

namespace Sdn.Fabric.Edge.Tests.Datapath;

public class DatapathTests
{
    private readonly SwitchRig _rig = new();

    [Fact]
    public void Malformed_frames_are_counted_and_dropped_never_thrown()
    {
        _rig.WithActions(PipelineAction.Output(2));
        byte[][] broken = [Frames.TruncatedIpv4(), [0x01, 0x02, 0x03], Frames.Udp()[..40], []];
        foreach (var frame in broken)
        {
            _rig.Send(1, frame);
        }

        Assert.Empty(_rig.Port(2).TakeTransmitted());
        Assert.Equal(broken.Length, _rig.Switch.Datapath.Counters.Malformed);
        Assert.Equal(broken.Length, _rig.Switch.Datapath.PortCounters(1)!.RxMalformed);
        Assert.Contains("malformed", _rig.Switch.Trace(1, Frames.TruncatedIpv4()).ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Packets_that_go_nowhere_are_counted()
    {
        _rig.Send(1, Frames.Udp());
        _rig.WithActions(PipelineAction.Output(99));
        _rig.Send(1, Frames.Udp());

        Assert.Equal(2, _rig.Switch.Datapath.Counters.NoOutput);
        Assert.Equal(1, _rig.Switch.Datapath.Counters.UnknownPort);
    }

    [Fact]
    public void A_removed_port_neither_receives_nor_sends()
    {
        _rig.WithActions(PipelineAction.Output(2));
        _rig.Port(1).Inject(Frames.Udp());
        Assert.True(_rig.Switch.Datapath.RemovePort(2));
        _rig.Switch.Poll();

        Assert.Empty(_rig.Port(2).TakeTransmitted());
        Assert.Equal(1, _rig.Switch.Datapath.Counters.UnknownPort);
        Assert.Null(_rig.Switch.Datapath.PortCounters(2));
        Assert.False(_rig.Switch.Datapath.RemovePort(2));
    }

    [Fact]
    public void Pushing_past_the_headroom_drops_and_counts()
    {
        var pushes = Enumerable.Repeat(PipelineAction.PushMpls(), (PacketBurst.Headroom / MplsLabelStackEntry.Size) + 1);
        _rig.WithActions([.. pushes, PipelineAction.Output(2)]).Send(1, Frames.Udp());

        Assert.Empty(_rig.Port(2).TakeTransmitted());
        Assert.Equal(1, _rig.Switch.Datapath.Counters.PushFailed);
    }

    [Fact]
    public void Entry_counters_count_cached_packets_too()
    {
        _rig.WithActions(PipelineAction.Output(2));
        for (var i = 0; i < 5; i++)
        {
            _rig.Send(1, Frames.Udp());
        }

        var entry = _rig.Pipeline.Tables[0].FindStrict(FlowMatch.Any, 10)!;
        Assert.Equal((5, 5 * Frames.Udp().Length), (entry.Counters.Packets, entry.Counters.Bytes));
        Assert.Equal(4, _rig.Switch.Datapath.Cache.ExactHits);
    }

    [Fact]
    public void Counters_count_every_packet_of_a_burst_whether_its_flow_repeats_or_alternates()
    {
        _rig.Pipeline.Add(0, 10, FlowMatch.Any.Ipv4Dst(1), PipelineAction.Output(2));
        _rig.Pipeline.Add(0, 10, FlowMatch.Any.Ipv4Dst(2), PipelineAction.Output(3));
        byte[][] burst = [Frames.Udp(destination: 1), Frames.Udp(destination: 1, payload: 30), Frames.Udp(destination: 2), Frames.Udp(destination: 1, payload: 40)];
        for (var round = 0; round < 2; round++)
        {
            foreach (var frame in burst)
            {
                _rig.Port(1).Inject(frame);
            }

            _rig.Switch.Datapath.Poll();
        }

        var toOne = _rig.Pipeline.Tables[0].FindStrict(FlowMatch.Any.Ipv4Dst(1), 10)!.Counters;
        var toTwo = _rig.Pipeline.Tables[0].FindStrict(FlowMatch.Any.Ipv4Dst(2), 10)!.Counters;
        var bytesToOne = 2 * (burst[0].Length + burst[1].Length + burst[3].Length);
        Assert.Equal((6, bytesToOne), (toOne.Packets, toOne.Bytes));
        Assert.Equal((2, 2 * burst[2].Length), (toTwo.Packets, toTwo.Bytes));
        Assert.Equal((6, bytesToOne), (_rig.Switch.Datapath.PortCounters(2)!.TxPackets, _rig.Switch.Datapath.PortCounters(2)!.TxBytes));
    }

    [Fact]
    public void Trace_of_a_frame_has_no_side_effects()
    {
        _rig.WithActions(PipelineAction.Output(2));
        var trace = _rig.Switch.Trace(1, Frames.Udp());

        Assert.Equal([2u], trace.Outputs);
        Assert.Equal(0, _rig.Pipeline.Tables[0].FindStrict(FlowMatch.Any, 10)!.Counters.Packets);
        Assert.Equal(0, _rig.Switch.Datapath.Cache.Misses);
        Assert.Empty(_rig.Port(2).TakeTransmitted());
    }

    [Fact]
    public void A_burst_through_the_cache_allocates_nothing()
    {
        var edge = new EdgeSwitch(2);
        var sink = new InternalPort(2, "sink");
        edge.AddPort(sink);
        edge.Pipeline.Add(0, 10, FlowMatch.Any.InPort(1), PipelineAction.PushMpls(), PipelineAction.SetMplsLabel(16), PipelineAction.Output(2));
        var template = Frames.Udp();
        var burst = new PacketBurst();

        RunBursts(edge, burst, template);
        Allocations.AssertNone(() => RunBursts(edge, burst, template));

        Assert.Equal(4 * 200 * PacketBurst.Capacity, sink.TransmittedCount);
    }

    private static void RunBursts(EdgeSwitch edge, PacketBurst burst, byte[] template)
    {
        for (var round = 0; round < 200; round++)
        {
            burst.Clear();
            while (burst.TryAppend(template))
            {
            }

            edge.Datapath.Process(1, burst);
        }
    }
}
