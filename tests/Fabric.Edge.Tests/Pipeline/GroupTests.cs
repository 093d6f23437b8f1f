using Sdn.Fabric.Edge.Datapath;
using Sdn.Fabric.Edge.Pipeline;
using Sdn.Fabric.Edge.Pipeline.Groups;
using Sdn.Fabric.Edge.Tests.Support;

namespace Sdn.Fabric.Edge.Tests.Pipeline;

public class GroupTests
{
    private readonly EdgeSwitch _switch = new(2);

    private EdgePipeline Pipeline => _switch.Pipeline;

    [Fact]
    public void An_all_group_sends_a_copy_through_every_bucket_each_with_its_own_rewrites()
    {
        Pipeline.Groups.Add(new GroupEntry(1, GroupKind.All,
        [
            new GroupBucket(1, [PipelineAction.SetField(HeaderField.Ipv4Dst, 7), PipelineAction.Output(2)]),
            new GroupBucket(2, [PipelineAction.Output(3)]),
        ]));
        Pipeline.Add(0, 10, FlowMatch.Any, PipelineAction.Group(1), PipelineAction.Output(4));

        var trace = _switch.Trace(Keys.Udp(1, 1, 2));
        Assert.Equal([2u, 3u, 4u], trace.Outputs);
        Assert.Equal(
            "SaveFrame,set(Ipv4Dst=0x7),output:2,RestoreFrame,SaveFrame,output:3,RestoreFrame,output:4",
            string.Join(",", trace.Actions));
    }

    [Fact]
    public void A_group_runs_without_a_snapshot_of_the_frame_when_nothing_after_it_would_see_the_frame()
    {
        Pipeline.Groups.Add(new GroupEntry(1, GroupKind.FastFailover,
            [new GroupBucket(1, [PipelineAction.SetField(HeaderField.Ipv4Dst, 7), PipelineAction.Output(2)], WatchPort: 2)]));
        Pipeline.Groups.Add(new GroupEntry(2, GroupKind.All,
        [
            new GroupBucket(1, [PipelineAction.SetField(HeaderField.Ipv4Dst, 7), PipelineAction.Output(2)]),
            new GroupBucket(2, [PipelineAction.Output(3)]),
        ]));
        Pipeline.Groups.Add(new GroupEntry(3, GroupKind.Select, [new GroupBucket(1, [PipelineAction.Output(2), PipelineAction.Drop()])]));
        Pipeline.Add(0, 10, FlowMatch.Any.L4Dst(1), PipelineAction.Group(1));
        Pipeline.Add(0, 10, FlowMatch.Any.L4Dst(2), PipelineAction.Group(1), PipelineAction.Output(4));
        Pipeline.Add(0, 10, FlowMatch.Any.L4Dst(3), PipelineAction.Group(2));
        Pipeline.Add(0, 10, FlowMatch.Any.L4Dst(4), PipelineAction.Group(3), PipelineAction.Output(4));

        string Actions(ushort l4Dst) => string.Join(",", _switch.Trace(Keys.Udp(1, 1, 2, dstPort: l4Dst)).Actions);
        Assert.Equal("set(Ipv4Dst=0x7),output:2", Actions(1));
        Assert.Equal("SaveFrame,set(Ipv4Dst=0x7),output:2,RestoreFrame,output:4", Actions(2));
        Assert.Equal("SaveFrame,set(Ipv4Dst=0x7),output:2,RestoreFrame,output:3", Actions(3));
        Assert.Equal("output:2", Actions(4));
    }

    [Fact]
    public void The_trace_tells_each_copy_the_labels_pushed_on_it_and_forgets_a_buckets_labels_after_it()
    {
        Pipeline.Groups.Add(new GroupEntry(1, GroupKind.All,
        [
            new GroupBucket(1, [PipelineAction.PushMpls(), PipelineAction.SetMplsLabel(17), PipelineAction.Output(2)]),
            new GroupBucket(2, [PipelineAction.PushMpls(), PipelineAction.SetMplsLabel(21), PipelineAction.Output(3)]),
        ]));
        Pipeline.Add(0, 10, FlowMatch.Any, PipelineAction.PushMpls(), PipelineAction.SetMplsLabel(1042), PipelineAction.Group(1), PipelineAction.PopMpls(0x0800), PipelineAction.Output(4));

        var trace = _switch.Trace(Keys.Udp(1, 1, 2));

        Assert.Equal([(2u, "17,1042"), (3u, "21,1042"), (4u, "")], trace.TracedOutputs.Select(o => (o.Port, string.Join(",", o.PushedLabels))));
    }

    [Fact]
    public void A_select_group_keeps_flows_in_place_when_an_unrelated_bucket_goes_away()
    {
        var buckets = Enumerable.Range(10, 4).Select(p => new GroupBucket((uint)p, [PipelineAction.Output((uint)p)])).ToList();
        Pipeline.Groups.Add(new GroupEntry(1, GroupKind.Select, buckets));
        Pipeline.Add(0, 10, FlowMatch.Any, PipelineAction.Group(1));
        var flows = Enumerable.Range(0, 400).Select(i => Keys.Udp(1, (uint)i, 99, (ushort)(i * 7))).ToList();

        var before = flows.Select(f => Assert.Single(Pipeline.OutputsOf(f))).ToList();
        Assert.All(Enumerable.Range(10, 4), p => Assert.InRange(before.Count(b => b == p), 50, 150));

        Pipeline.Groups.Modify(new GroupEntry(1, GroupKind.Select, buckets.Where(b => b.Id != 12).ToList()));
        var after = flows.Select(f => Assert.Single(Pipeline.OutputsOf(f))).ToList();

        for (var i = 0; i < flows.Count; i++)
        {
            if (before[i] != 12)
            {
                Assert.Equal(before[i], after[i]);
            }
        }

        Assert.DoesNotContain(12u, after);
    }

    [Fact]
    public void A_select_group_skips_buckets_whose_watched_port_is_down()
    {
        Pipeline.Groups.Add(new GroupEntry(1, GroupKind.Select,
            [new GroupBucket(1, [PipelineAction.Output(2)], WatchPort: 2), new GroupBucket(2, [PipelineAction.Output(3)], WatchPort: 3)]));
        Pipeline.Add(0, 10, FlowMatch.Any, PipelineAction.Group(1));
        Pipeline.Liveness.SetPortLive(2, false);

        Assert.All(Enumerable.Range(0, 50), i => Assert.Equal([3u], Pipeline.OutputsOf(Keys.Udp(1, (uint)i, 9))));
    }

    [Fact]
    public void Fast_failover_switches_when_the_watched_port_goes_down_and_back_when_it_comes_up()
    {
        Pipeline.Groups.Add(new GroupEntry(1, GroupKind.FastFailover,
        [
            new GroupBucket(1, [PipelineAction.Output(2)], WatchPort: 2),
            new GroupBucket(2, [PipelineAction.Output(3)], WatchPort: 3),
        ]));
        Pipeline.Add(0, 10, FlowMatch.Any, PipelineAction.Group(1));
        var key = Keys.Udp(1, 1, 2);

        Assert.Equal([2u], Flows.Outputs(_switch.Datapath.Classify(key)));
        Assert.Equal([2u], Flows.Outputs(_switch.Datapath.Classify(key)));
        Pipeline.Liveness.SetPortLive(2, false);
        Assert.Equal([3u], Flows.Outputs(_switch.Datapath.Classify(key)));
        Pipeline.Liveness.SetPortLive(3, false);
        Assert.Empty(Flows.Outputs(_switch.Datapath.Classify(key)));
        Pipeline.Liveness.SetPortLive(2, true);
        Assert.Equal([2u], Flows.Outputs(_switch.Datapath.Classify(key)));
    }

    [Fact]
    public void Flows_need_their_group_to_exist_and_go_when_it_is_deleted()
    {
        var mod = FlowEdit.Add(0, 10, FlowMatch.Any, FlowInstructions.Apply(PipelineAction.Group(5))) with { Flags = FlowEditOptions.SendFlowRemoved };
        Assert.Equal(FlowEditError.UnknownGroup, Assert.Throws<FlowEditException>(() => Pipeline.Apply(mod)).Error);

        Pipeline.Groups.Add(new GroupEntry(5, GroupKind.All, [new GroupBucket(1, [PipelineAction.Output(2)])]));
        Pipeline.Apply(mod);
        Assert.Equal(FlowEditError.GroupExists, Assert.Throws<FlowEditException>(() => Pipeline.Groups.Add(new GroupEntry(5, GroupKind.All, []))).Error);

        Assert.True(Pipeline.DeleteGroup(5));
        Assert.Equal(1, Pipeline.Tables[0].Count);
        Assert.True(Pipeline.TryTakeFlowRemoved(out var removed));
        Assert.Equal(FlowRemovedReason.GroupDelete, removed.Reason);
    }

    [Fact]
    public void Groups_that_chain_into_themselves_stop_at_the_depth_bound()
    {
        Pipeline.Groups.Add(new GroupEntry(1, GroupKind.All, [new GroupBucket(1, [PipelineAction.Output(2)])]));
        Pipeline.Groups.Modify(new GroupEntry(1, GroupKind.All, [new GroupBucket(1, [PipelineAction.Output(2), PipelineAction.Group(1)])]));
        Pipeline.Add(0, 10, FlowMatch.Any, PipelineAction.Group(1));

        var trace = _switch.Trace(Keys.Udp(1, 1, 2));
        Assert.Equal(Enumerable.Repeat(2u, FlowCompiler.MaxGroupDepth), trace.Outputs);
        Assert.Contains(trace.Notes, n => n.Contains("nested too deep", StringComparison.Ordinal));
    }
}
