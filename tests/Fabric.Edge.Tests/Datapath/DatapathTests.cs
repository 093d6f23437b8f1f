using Sdn.Fabric.Core.Packets;
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
        _rig.WithActions(FlowAction.Output(2));
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
        _rig.WithActions(FlowAction.Output(99));
        _rig.Send(1, Frames.Udp());

        Assert.Equal(2, _rig.Switch.Datapath.Counters.NoOutput);
        Assert.Equal(1, _rig.Switch.Datapath.Counters.UnknownPort);
    }

    [Fact]
    public void A_removed_port_neither_receives_nor_sends()
    {
        _rig.WithActions(FlowAction.Output(2));
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
        var pushes = Enumerable.Repeat(FlowAction.PushMpls(), (PacketBurst.Headroom / MplsLabelStackEntry.Size) + 1);
        _rig.WithActions([.. pushes, FlowAction.Output(2)]).Send(1, Frames.Udp());

        Assert.Empty(_rig.Port(2).TakeTransmitted());
        Assert.Equal(1, _rig.Switch.Datapath.Counters.PushFailed);
    }

    [Fact]
    public void Entry_counters_count_cached_packets_too()
    {
        _rig.WithActions(FlowAction.Output(2));
        for (var i = 0; i < 5; i++)
        {
            _rig.Send(1, Frames.Udp());
        }

        var entry = _rig.Pipeline.Tables[0].FindStrict(FlowMatch.Any, 10)!;
        Assert.Equal((5, 5 * Frames.Udp().Length), (entry.Counters.Packets, entry.Counters.Bytes));
        Assert.Equal(4, _rig.Switch.Datapath.Cache.ExactHits);
    }

    [Fact]
    public void Trace_of_a_frame_has_no_side_effects()
    {
        _rig.WithActions(FlowAction.Output(2));
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
        edge.Pipeline.Add(0, 10, FlowMatch.Any.InPort(1), FlowAction.PushMpls(), FlowAction.SetMplsLabel(16), FlowAction.Output(2));
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
