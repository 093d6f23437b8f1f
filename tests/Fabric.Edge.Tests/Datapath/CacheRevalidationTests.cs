using Sdn.Common.Packets;
using Sdn.Fabric.Edge.Conntrack;
using Sdn.Fabric.Edge.Datapath;
using Sdn.Fabric.Edge.Pipeline;
using Sdn.Fabric.Edge.Pipeline.Groups;
using Sdn.Fabric.Edge.Tests.Support;

namespace Sdn.Fabric.Edge.Tests.Datapath;

/// <summary>
/// A change retires exactly the cached flows whose decision it can alter: the others keep hitting (no new miss),
/// and the retired ones are compiled again with the new decision. Table 0 forwards on the destination address,
/// one entry per host, as a fabric's forwarding table does.
/// </summary>
public class CacheRevalidationTests
{
    private static readonly uint HostA = Keys.Ip(10, 0, 0, 1);
    private static readonly uint HostB = Keys.Ip(10, 0, 0, 2);
    private static readonly uint HostC = Keys.Ip(10, 0, 0, 3);
    private static readonly FlowKey ToA = Keys.Udp(1, 9, HostA);
    private static readonly FlowKey ToB = Keys.Udp(1, 9, HostB);

    private readonly EdgeSwitch _switch = new(2);

    public CacheRevalidationTests()
    {
        Forward(HostA, 2);
        Forward(HostB, 3);
        Assert.Equal([2u], Outputs(ToA));
        Assert.Equal([3u], Outputs(ToB));
    }

    private EdgePipeline Pipeline => _switch.Pipeline;

    private long Misses => _switch.Datapath.Cache.Misses;

    [Fact]
    public void Adding_or_removing_another_hosts_entry_leaves_every_cached_flow_hitting()
    {
        Forward(HostC, 4);
        Pipeline.Apply(FlowEdit.DeleteStrict(0, 100, ToHost(HostC)));
        Pipeline.Apply(FlowEdit.Add(0, 200, FlowMatch.Any.Ipv4Dst(HostC).L4Dst(53), FlowInstructions.Apply(PipelineAction.Output(4))));

        AssertStillCached(ToA, [2u]);
        AssertStillCached(ToB, [3u]);
    }

    [Fact]
    public void An_entry_added_below_the_priority_a_flow_matched_at_leaves_it_hitting()
    {
        Pipeline.Add(0, 50, ToHost(HostA), PipelineAction.Output(4));
        Pipeline.Add(0, 60, FlowMatch.Any.Ipv4Dst(Keys.Ip(10, 0, 0, 0), 8), PipelineAction.Output(4));

        AssertStillCached(ToA, [2u]);
        AssertStillCached(ToB, [3u]);
    }

    [Fact]
    public void An_entry_added_above_in_the_same_subtable_retires_only_the_flows_it_matches()
    {
        Pipeline.Add(0, 150, ToHost(HostA), PipelineAction.Output(4));

        AssertRecompiled(ToA, [4u]);
        AssertStillCached(ToB, [3u]);
    }

    [Fact]
    public void An_entry_added_at_the_same_priority_with_another_mask_retires_the_flows_it_overlaps()
    {
        Pipeline.Add(0, 100, FlowMatch.Any.Ipv4Dst(HostA).L4Dst(2000), PipelineAction.Output(4));

        Assert.Equal(Pipeline.OutputsOf(ToA), Outputs(ToA));
        AssertStillCached(ToB, [3u]);
    }

    [Fact]
    public void An_entry_added_above_with_a_new_mask_retires_only_the_flows_whose_packets_it_matches()
    {
        var toAOtherPort = Keys.Udp(1, 9, HostA, dstPort: 80);
        Assert.Equal([2u], Outputs(toAOtherPort));

        Pipeline.Add(0, 200, FlowMatch.Any.Ipv4Dst(HostA).L4Dst(2000), PipelineAction.Output(4));

        AssertRecompiled(ToA, [4u]);
        AssertStillCached(ToB, [3u]);
        Assert.Equal([2u], Outputs(toAOtherPort));
    }

    [Fact]
    public void An_entry_that_matches_the_packet_as_an_earlier_table_rewrote_it_retires_the_flow()
    {
        var edge = new EdgeSwitch(2);
        edge.Pipeline.Apply(FlowEdit.Add(0, 10, FlowMatch.Any, FlowInstructions.Goto(1, PipelineAction.SetField(HeaderField.L4Dst, 7))));
        edge.Pipeline.Add(1, 10, FlowMatch.Any, PipelineAction.Output(2));
        var key = Keys.Udp(1, 9, HostA, dstPort: 2000);
        edge.Datapath.Classify(key);

        edge.Pipeline.Add(1, 20, FlowMatch.Any.L4Dst(7), PipelineAction.Output(3));

        Assert.Equal([3u], Flows.Outputs(edge.Datapath.Classify(key)));
        Assert.Equal(2, edge.Datapath.Cache.Misses);
    }

    [Fact]
    public void Deleting_an_entry_retires_only_its_flows_which_fall_to_what_lies_below()
    {
        Pipeline.Add(0, 10, FlowMatch.Any, PipelineAction.Output(4));

        Pipeline.Apply(FlowEdit.DeleteStrict(0, 100, ToHost(HostA)));

        AssertRecompiled(ToA, [4u]);
        AssertStillCached(ToB, [3u]);
    }

    [Fact]
    public void Modifying_an_entry_retires_only_its_flows()
    {
        Pipeline.Apply(FlowEdit.ModifyStrict(0, 100, ToHost(HostB), FlowInstructions.Apply(PipelineAction.Output(4))));

        AssertStillCached(ToA, [2u]);
        AssertRecompiled(ToB, [4u]);
    }

    [Fact]
    public void Replacing_an_entry_with_an_add_of_the_same_match_and_priority_retires_its_flows()
    {
        Forward(HostA, 4);

        AssertRecompiled(ToA, [4u]);
        AssertStillCached(ToB, [3u]);
    }

    [Fact]
    public void When_a_subtable_moves_in_the_order_a_tie_between_equal_priorities_is_decided_afresh()
    {
        // Two subtables each hold an entry of priority 100 that matches ToA; the first in the order wins the tie.
        Pipeline.Add(0, 100, FlowMatch.Any.L4Dst(2000), PipelineAction.Output(4));
        Pipeline.Add(0, 300, FlowMatch.Any.L4Dst(9), PipelineAction.Output(4));
        var before = Outputs(ToA);
        Assert.Equal(Pipeline.OutputsOf(ToA), before);

        // The entry of priority 300 moved its subtable ahead; taking it away moves it back behind.
        Pipeline.Apply(FlowEdit.DeleteStrict(0, 300, FlowMatch.Any.L4Dst(9)));
        Assert.Equal(Pipeline.OutputsOf(ToA), Outputs(ToA));

        Pipeline.Add(0, 300, FlowMatch.Any.Ipv4Dst(HostC), PipelineAction.Output(4));
        Assert.Equal(Pipeline.OutputsOf(ToA), Outputs(ToA));
        Assert.Equal(Pipeline.OutputsOf(ToB), Outputs(ToB));
    }

    [Fact]
    public void A_group_change_retires_the_flows_through_that_group_and_no_others()
    {
        Pipeline.Groups.Add(new GroupEntry(1, GroupKind.All, [new GroupBucket(1, [PipelineAction.Output(5)])]));
        Pipeline.Groups.Add(new GroupEntry(2, GroupKind.All, [new GroupBucket(1, [PipelineAction.Output(6)])]));
        Pipeline.Add(0, 150, ToHost(HostA), PipelineAction.Group(1));
        Pipeline.Add(0, 150, ToHost(HostB), PipelineAction.Group(2));
        Assert.Equal([5u], Outputs(ToA));
        Assert.Equal([6u], Outputs(ToB));

        Pipeline.Groups.Modify(new GroupEntry(1, GroupKind.All, [new GroupBucket(1, [PipelineAction.Output(7)])]));

        AssertRecompiled(ToA, [7u]);
        AssertStillCached(ToB, [6u]);
    }

    [Fact]
    public void A_liveness_change_retires_only_the_flows_that_asked_about_that_port()
    {
        Pipeline.Groups.Add(new GroupEntry(1, GroupKind.FastFailover,
            [new GroupBucket(1, [PipelineAction.Output(13)], WatchPort: 13), new GroupBucket(2, [PipelineAction.Output(14)], WatchPort: 14)]));
        Pipeline.Add(0, 150, ToHost(HostA), PipelineAction.Group(1));
        Assert.Equal([13u], Outputs(ToA));

        // The first bucket is live, so the flow never asked about port 14.
        Pipeline.Liveness.SetPortLive(14, false);
        AssertStillCached(ToA, [13u]);

        Pipeline.Liveness.SetPortLive(14, true);
        Pipeline.Liveness.SetPortLive(13, false);
        AssertRecompiled(ToA, [14u]);
        AssertStillCached(ToB, [3u]);
    }

    [Fact]
    public void Modifying_an_entry_every_ct_pass_matched_retires_every_flow_that_went_through_it()
    {
        // The lookup before the ct is run once per ct_state, so each flow matched the ct entry several times over.
        var edge = new EdgeSwitch(2);
        edge.Pipeline.Add(0, 100, FlowMatch.Any.EthType(EtherTypes.Ipv4).CtState(default, CtState.Tracked), PipelineAction.Ct(1, table: 1));
        edge.Pipeline.Add(1, 10, FlowMatch.Any, PipelineAction.Output(2));
        FlowKey[] keys = [Keys.Udp(1, 9, HostA), Keys.Udp(3, 9, HostA), Keys.Udp(4, 9, HostB)];
        foreach (var key in keys)
        {
            Assert.Equal(DatapathActionKind.CtLookup, edge.Datapath.Classify(key).Actions[^1].Kind);
        }

        edge.Pipeline.Apply(FlowEdit.ModifyStrict(0, 100, FlowMatch.Any.EthType(EtherTypes.Ipv4).CtState(default, CtState.Tracked), FlowInstructions.Apply(PipelineAction.Output(5))));

        foreach (var key in keys)
        {
            Assert.True(Flows.Outputs(edge.Datapath.Classify(key)) is [5u], $"the flow of in_port {key.InPort} is still cached as before");
        }

        Assert.Equal(2 * keys.Length, edge.Datapath.Cache.Misses);
    }

    [Fact]
    public void An_entry_added_above_what_every_ct_pass_matched_retires_every_flow_it_matches()
    {
        var edge = new EdgeSwitch(2);
        edge.Pipeline.Add(0, 100, FlowMatch.Any.EthType(EtherTypes.Ipv4).CtState(default, CtState.Tracked), PipelineAction.Ct(1, table: 1));
        edge.Pipeline.Add(1, 10, FlowMatch.Any, PipelineAction.Output(2));
        FlowKey[] keys = [Keys.Udp(1, 9, HostA), Keys.Udp(3, 9, HostA), Keys.Udp(4, 9, HostB)];
        foreach (var key in keys)
        {
            edge.Datapath.Classify(key);
        }

        // A new subtable: every visitor of table 0 is checked, each flow several times over.
        edge.Pipeline.Add(0, 200, FlowMatch.Any.Ipv4Src(9), PipelineAction.Output(5));

        foreach (var key in keys)
        {
            Assert.True(Flows.Outputs(edge.Datapath.Classify(key)) is [5u], $"the flow of in_port {key.InPort} is still cached as before");
        }
    }

    [Fact]
    public void A_hit_after_revalidation_allocates_nothing()
    {
        Forward(HostC, 4);
        Outputs(ToA);

        Allocations.AssertNone(() =>
        {
            for (var i = 0; i < 10_000; i++)
            {
                _switch.Datapath.Classify(ToA);
            }
        });
    }

    [Fact]
    public void A_retired_flow_is_held_by_nothing_once_the_cache_replaced_it()
    {
        var retired = CachedFlowOf(ToA);
        Pipeline.Apply(FlowEdit.ModifyStrict(0, 100, ToHost(HostA), FlowInstructions.Apply(PipelineAction.Output(4))));
        Assert.Equal([4u], Outputs(ToA));

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        Assert.False(retired.IsAlive, "something still holds the retired flow: its entry's, table's or subtable's set kept it");
    }

    /// <summary>A weak reference to the flow cached for <paramref name="key"/>, taken where no local outlives the call.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private WeakReference CachedFlowOf(FlowKey key) => new(_switch.Datapath.Classify(key));

    private static FlowMatch ToHost(uint host) => FlowMatch.Any.Ipv4Dst(host);

    private void Forward(uint host, uint port) => Pipeline.Add(0, 100, ToHost(host), PipelineAction.Output(port));

    private uint[] Outputs(FlowKey key) => Flows.Outputs(_switch.Datapath.Classify(key));

    /// <summary>Asserts the cache answers <paramref name="key"/> as before, without asking the pipeline.</summary>
    private void AssertStillCached(FlowKey key, uint[] outputs)
    {
        var (misses, hits) = (Misses, _switch.Datapath.Cache.ExactHits);
        Assert.Equal(outputs, Outputs(key));
        Assert.Equal((misses, hits + 1), (Misses, _switch.Datapath.Cache.ExactHits));
    }

    /// <summary>Asserts the cached flow of <paramref name="key"/> was retired, and the new one decides <paramref name="outputs"/>.</summary>
    private void AssertRecompiled(FlowKey key, uint[] outputs)
    {
        var misses = Misses;
        Assert.Equal(outputs, Outputs(key));
        Assert.Equal(misses + 1, Misses);
        Assert.Equal(outputs, Pipeline.OutputsOf(key));
    }
}
