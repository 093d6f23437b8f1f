using Sdn.Common.Packets;
using Sdn.Fabric.Edge.Conntrack;
using Sdn.Fabric.Edge.Datapath;
using Sdn.Fabric.Edge.Pipeline;
using Sdn.Fabric.Edge.Pipeline.Groups;
using Sdn.Fabric.Edge.Pipeline.Revalidation;
using Sdn.Fabric.Edge.Tests.Support;

namespace Sdn.Fabric.Edge.Tests.Pipeline;

/// <summary>
/// The arrays cached flows' dependencies live in: a retired flow's slots are taken again, a set stays whole whichever
/// of its flows leaves, a lookup made twice in one translation is kept once, and a flow translated before another can
/// still be tracked afterwards.
/// </summary>
public class DependencyStoreTests
{
    private const uint Group = 1;

    private readonly GroupTable _groups = new();
    private readonly PortLiveness _liveness = new();
    private readonly DependencyStore _store;

    public DependencyStoreTests()
    {
        _store = new DependencyStore(_groups, _liveness);
        _groups.Add(new GroupEntry(Group, GroupKind.All, [new GroupBucket(1, [PipelineAction.Output(2)])]));
    }

    [Fact]
    public void A_released_flows_links_are_taken_again_by_the_next_flow()
    {
        var first = TrackedFlow(Group, port: 13);
        var second = TrackedFlow(Group, port: 14);
        var slotsUsed = _store.LinkSlotsUsed;
        Assert.Equal(4, _store.LinkCount);

        first.Retire();
        Assert.Equal(2, _store.LinkCount);
        TrackedFlow(Group, port: 15);

        Assert.Equal(slotsUsed, _store.LinkSlotsUsed);
        Assert.Equal(4, _store.LinkCount);
        Assert.True(second.IsCurrent);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void A_set_stays_whole_whichever_of_its_flows_leaves(int leaving)
    {
        var flows = Enumerable.Range(0, 3).Select(_ => TrackedFlow(Group)).ToArray();

        flows[leaving].Retire();
        Assert.Equal(2, _groups.DependentsOf(Group).Count);
        _groups.Modify(new GroupEntry(Group, GroupKind.All, [new GroupBucket(1, [PipelineAction.Output(3)])]));

        Assert.All(flows, flow => Assert.False(flow.IsCurrent));
        Assert.Equal((0, 0), (_store.FlowCount, _store.LinkCount));
    }

    [Fact]
    public void A_flow_translated_before_another_is_still_tracked_from_its_own_copy()
    {
        var earlier = new FlowDependencyRecord(_store);
        earlier.LookedUpGroup(Group);
        earlier.Complete(default);
        var later = new FlowDependencyRecord(_store);
        later.AskedLiveness(13);
        later.Complete(default);
        var earlierFlow = new CompiledFlow([], [], earlier);
        var laterFlow = new CompiledFlow([], [], later);

        earlierFlow.Track();
        laterFlow.Track();

        Assert.Equal(1, _groups.DependentsOf(Group).Count);
        _liveness.SetPortLive(13, false);
        Assert.False(laterFlow.IsCurrent);
        Assert.True(earlierFlow.IsCurrent);
        _groups.Remove(Group);
        Assert.False(earlierFlow.IsCurrent);
    }

    [Fact]
    public void A_record_takes_no_more_dependencies_once_the_next_translation_began()
    {
        var earlier = new FlowDependencyRecord(_store);
        _ = new FlowDependencyRecord(_store);

        Assert.Throws<InvalidOperationException>(() => earlier.LookedUpGroup(Group));
    }

    [Fact]
    public void The_tables_before_a_ct_lookup_are_recorded_once_however_many_ct_states_run_after_it()
    {
        var edge = new EdgeSwitch(2);
        edge.Pipeline.Add(0, 100, FlowMatch.Any.EthType(EtherTypes.Ipv4).CtState(default, CtState.Tracked), PipelineAction.Ct(1, table: 1));
        edge.Pipeline.Add(1, 10, FlowMatch.Any, PipelineAction.Output(2));

        edge.Datapath.Classify(Keys.Udp(1, 9, Keys.Ip(10, 0, 0, 1)));

        // Table 0 once; table 1 once per ct_state, each with the state in the packet it saw.
        Assert.Equal(1 + CtOutcomes.All.Count, edge.Pipeline.Dependencies.VisitCount);
        Assert.Equal(1, edge.Pipeline.Tables[0].Entries.Single(e => e.Priority == 100).Users.Count);
    }

    [Fact]
    public void Retiring_every_flow_leaves_the_store_empty_and_the_next_flows_reuse_its_slots()
    {
        var edge = new EdgeSwitch(2);
        edge.Pipeline.Add(0, 10, FlowMatch.Any, PipelineAction.Output(2));
        var keys = Enumerable.Range(0, 50).Select(i => Keys.Udp(1, 9, Keys.Ip(10, 0, 0, (byte)i))).ToArray();
        foreach (var key in keys)
        {
            edge.Datapath.Classify(key);
        }

        var (visitSlots, linkSlots) = (edge.Pipeline.Dependencies.VisitSlotsUsed, edge.Pipeline.Dependencies.LinkSlotsUsed);
        edge.Pipeline.Apply(FlowEdit.ModifyStrict(0, 10, FlowMatch.Any, FlowInstructions.Apply(PipelineAction.Output(3))));
        Assert.Equal((0, 0, 0), (edge.Pipeline.Dependencies.FlowCount, edge.Pipeline.Dependencies.VisitCount, edge.Pipeline.Dependencies.LinkCount));

        foreach (var key in keys)
        {
            Assert.Equal([3u], Flows.Outputs(edge.Datapath.Classify(key)));
        }

        Assert.Equal((visitSlots, linkSlots), (edge.Pipeline.Dependencies.VisitSlotsUsed, edge.Pipeline.Dependencies.LinkSlotsUsed));
    }

    /// <summary>A flow tracked as if its translation looked group <paramref name="groupId"/> up, and asked about <paramref name="port"/> if given.</summary>
    private CompiledFlow TrackedFlow(uint groupId, uint? port = null)
    {
        var record = new FlowDependencyRecord(_store);
        record.LookedUpGroup(groupId);
        if (port is { } asked)
        {
            record.AskedLiveness(asked);
        }

        record.Complete(default);
        var flow = new CompiledFlow([], [], record);
        flow.Track();
        return flow;
    }
}
