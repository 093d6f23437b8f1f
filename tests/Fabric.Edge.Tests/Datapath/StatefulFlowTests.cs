using Sdn.Common.Packets;
using Sdn.Fabric.Edge.Conntrack;
using Sdn.Fabric.Edge.Datapath;
using Sdn.Fabric.Edge.Pipeline;
using Sdn.Fabric.Edge.Tests.Support;

namespace Sdn.Fabric.Edge.Tests.Datapath;

/// <summary>
/// A stateful firewall in the pipeline, run through the cached datapath: port 1 may open UDP and TCP to port 2, and
/// port 2 may only answer. Table 0 sends untracked IP through ct(zone=1, table=0) and decides on ct_state.
/// </summary>
public class StatefulFlowTests
{
    private const ushort Zone = 1;
    private const uint Inside = 0x0A_00_01_1F;
    private const uint Outside = 0x0A_00_02_1F;

    [Fact]
    public void The_opening_side_gets_through_and_so_do_its_replies()
    {
        var rig = Firewall();

        rig.Send(1, Frames.Udp(Inside, Outside, 1000, 53));
        rig.Send(2, Frames.Udp(Outside, Inside, 53, 1000));

        Assert.Single(rig.Port(2).TakeTransmitted());
        Assert.Single(rig.Port(1).TakeTransmitted());
    }

    [Fact]
    public void A_packet_that_opens_nothing_is_dropped_even_where_the_reply_way_is_cached()
    {
        var rig = Firewall();
        rig.Send(1, Frames.Udp(Inside, Outside, 1000, 53));
        rig.Send(2, Frames.Udp(Outside, Inside, 53, 1000));
        rig.Port(1).TakeTransmitted();

        // The same megaflow as the reply above, but no connection: the cached flow must ask the tracker again.
        rig.Send(2, Frames.Udp(Outside, Inside, 53, 1001));
        rig.Send(2, Frames.TcpSegment(Outside, Inside, 5432, 40000, TcpHeader.Syn));

        Assert.Empty(rig.Port(1).TakeTransmitted());
        Assert.True(rig.Switch.Datapath.Cache.MegaflowHits + rig.Switch.Datapath.Cache.ExactHits > 0);
    }

    [Fact]
    public void A_reply_cached_as_dropped_passes_once_its_connection_is_opened()
    {
        var rig = Firewall();
        rig.Send(2, Frames.Udp(Outside, Inside, 53, 1000));
        Assert.Empty(rig.Port(1).TakeTransmitted());

        rig.Send(1, Frames.Udp(Inside, Outside, 1000, 53));
        rig.Send(2, Frames.Udp(Outside, Inside, 53, 1000));

        Assert.Single(rig.Port(1).TakeTransmitted());
    }

    [Fact]
    public void Related_icmp_comes_back_and_counts_on_its_own_entry()
    {
        var rig = Firewall();
        var datagram = Frames.Udp(Inside, Outside, 1000, 9);
        rig.Send(1, datagram);

        rig.Send(2, Frames.IcmpError(Outside, Inside, 3, 3, datagram));

        Assert.Single(rig.Port(1).TakeTransmitted());
        Assert.Equal(1, Entry(rig, 90, FlowMatch.Any.CtState(CtState.Tracked | CtState.Related)).Packets);
    }

    [Fact]
    public void A_full_table_drops_new_connections_and_counts_them_while_established_ones_go_on()
    {
        var rig = Firewall(capacity: 1);
        rig.Send(1, Frames.Udp(Inside, Outside, 1000, 53));
        rig.Send(1, Frames.Udp(Inside, Outside, 1001, 53));
        Assert.Single(rig.Port(2).TakeTransmitted());

        rig.Send(2, Frames.Udp(Outside, Inside, 53, 1000));
        rig.Send(1, Frames.Udp(Inside, Outside, 1000, 53));

        Assert.Single(rig.Port(1).TakeTransmitted());
        Assert.Single(rig.Port(2).TakeTransmitted());
        Assert.Equal(1, rig.Switch.Datapath.Counters.CtTableFull);
        Assert.Contains(new KeyValuePair<string, long>("ct_table_full", 1), rig.Switch.Datapath.Counters.ByReason());
    }

    [Fact]
    public void A_lookup_sees_what_the_packets_before_it_in_its_burst_committed()
    {
        var rig = Firewall(capacity: 1);
        var (first, second) = (Frames.Udp(Inside, Outside, 1000, 53), Frames.Udp(Inside, Outside, 1001, 53));

        // One burst: the first packet's connection takes the only slot, so the second's is refused and the first's
        // third packet is found, although every tuple of the burst was read before any of them was looked up.
        rig.Port(1).Inject(first);
        rig.Port(1).Inject(second);
        rig.Port(1).Inject(first);
        rig.Switch.Poll();

        Assert.Equal([first, first], rig.Port(2).TakeTransmitted());
        Assert.Equal(1, rig.Switch.Datapath.Counters.CtTableFull);
        Assert.Equal(1, rig.Switch.Datapath.Conntrack.Created);
    }

    [Fact]
    public void The_flows_of_connections_through_one_rule_share_what_the_datapath_runs()
    {
        var rig = Firewall();
        var flows = new (uint InPort, ushort SourcePort)[] { (1, 1000), (1, 1001), (2, 1000) }.Select(way =>
        {
            FlowKeyExtractor.Extract(Frames.Udp(Inside, Outside, way.SourcePort, 53), way.InPort, out var key, out _);
            return rig.Pipeline.Translate(key, out _);
        }).ToArray();

        Assert.NotSame(flows[0], flows[1]);
        Assert.Same(flows[0].Actions, flows[1].Actions);
        Assert.Same(flows[0].Branches, flows[1].Branches);
        Assert.NotSame(flows[0].Branches, flows[2].Branches);
    }

    [Fact]
    public void The_cached_flow_holds_a_lookup_and_one_branch_per_ct_state()
    {
        var rig = Firewall();
        FlowKeyExtractor.Extract(Frames.Udp(Inside, Outside, 1000, 53), 1, out var key, out _);

        var flow = rig.Pipeline.Translate(key, out var mask);

        Assert.Equal(DatapathActionKind.CtLookup, flow.Actions[^1].Kind);
        Assert.Equal(CtOutcomes.All.Count, flow.Branches.Length);
        Assert.Equal([DatapathActionKind.CtCommit, DatapathActionKind.Output], flow.Branches[CtOutcomes.IndexOf(CtState.Tracked | CtState.New)].Actions.Select(a => a.Kind));
        Assert.Empty(flow.Branches[CtOutcomes.IndexOf(CtState.Tracked | CtState.Invalid)].Actions);
        Assert.Equal(0UL, FlowField.L4Src.Read(mask.ReadOnlyWords));
    }

    [Fact]
    public void A_trace_shows_the_ct_state_the_tracker_holds_or_the_one_it_is_told_to_assume()
    {
        var rig = Firewall();
        rig.Send(1, Frames.Udp(Inside, Outside, 1000, 53));
        var reply = Frames.Udp(Outside, Inside, 53, 1000);

        var found = rig.Switch.Trace(2, reply);
        var assumed = rig.Switch.Trace(2, reply, CtState.Tracked | CtState.Invalid);

        Assert.Equal(CtState.Tracked | CtState.Established | CtState.Reply, found.CtState);
        Assert.Equal([1u], found.Outputs);
        Assert.Contains(found.Notes, n => n.Contains("ct_state=trk|est|rpl", StringComparison.Ordinal));
        Assert.Empty(assumed.Outputs);
        Assert.Contains(assumed.Notes, n => n.Contains("assumed", StringComparison.Ordinal));
    }

    [Fact]
    public void A_ct_that_goes_on_in_an_earlier_table_is_refused()
    {
        var pipeline = new SwitchRig().Pipeline;

        var refused = Assert.Throws<FlowEditException>(() => pipeline.Apply(FlowEdit.Add(1, 10, FlowMatch.Any, FlowInstructions.Apply(PipelineAction.Ct(Zone, table: 0)))));

        Assert.Equal(FlowEditError.GotoNotForward, refused.Error);
    }

    [Fact]
    public void Forwarding_an_established_connection_allocates_nothing()
    {
        var edge = new EdgeSwitch(1);
        edge.AddPort(new InternalPort(1, "p1"));
        edge.AddPort(new InternalPort(2, "p2"));
        Program(edge.Pipeline);
        var burst = new PacketBurst();
        BurstOfOne.Run(edge, burst, Frames.Udp(Inside, Outside, 1000, 53), 1);
        BurstOfOne.Run(edge, burst, Frames.Udp(Outside, Inside, 53, 1000), 2);
        var frame = Frames.Udp(Inside, Outside, 1000, 53);

        Allocations.AssertNone(() =>
        {
            for (var i = 0; i < 50; i++)
            {
                BurstOfOne.Run(edge, burst, frame, 1);
            }
        });
        Assert.Equal(0, edge.Datapath.Counters.NoOutput);
    }

    private static SwitchRig Firewall(int capacity = ConnectionTracker.DefaultCapacity)
    {
        var rig = new SwitchRig(conntrackCapacity: capacity);
        Program(rig.Pipeline);
        return rig;
    }

    private static void Program(EdgePipeline pipeline)
    {
        var tracked = FlowMatch.Any.EthType(EtherTypes.Ipv4);
        pipeline.Add(0, 100, tracked.CtState(default, CtState.Tracked), PipelineAction.Ct(Zone, table: 0));
        pipeline.Add(0, 90, FlowMatch.Any.InPort(1).CtState(CtState.Tracked | CtState.Established), PipelineAction.Output(2));
        pipeline.Add(0, 90, FlowMatch.Any.InPort(2).CtState(CtState.Tracked | CtState.Established), PipelineAction.Output(1));
        pipeline.Add(0, 90, FlowMatch.Any.CtState(CtState.Tracked | CtState.Related), PipelineAction.Output(1));
        pipeline.Add(0, 50, FlowMatch.Any.InPort(1).CtState(CtState.Tracked | CtState.New), PipelineAction.Ct(Zone, commit: true), PipelineAction.Output(2));
    }

    private static EntryCounters Entry(SwitchRig rig, int priority, FlowMatch match) =>
        rig.Pipeline.Tables[0].Entries.Single(e => e.Priority == priority && e.Match == match).Counters;
}
