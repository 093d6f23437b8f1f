using Sdn.Common.Packets;
using Sdn.Fabric.Edge.Pipeline;
using Sdn.Fabric.Edge.Tests.Support;

namespace Sdn.Fabric.Edge.Tests.Pipeline;

public class FlowTableTests
{
    private static readonly uint Host = Keys.Ip(10, 0, 0, 5);

    private readonly EdgePipeline _pipeline = new(4, TimeProvider.System);

    [Fact]
    public void The_highest_priority_match_wins_whatever_the_insertion_order()
    {
        _pipeline.Add(0, 10, FlowMatch.Any.EthType(EtherTypes.Ipv4), PipelineAction.Output(2));
        _pipeline.Add(0, 30, FlowMatch.Any.Ipv4Dst(Host), PipelineAction.Output(4));
        _pipeline.Add(0, 20, FlowMatch.Any.Ipv4Dst(Keys.Ip(10, 0, 0, 0), 24), PipelineAction.Output(3));

        Assert.Equal([4u], _pipeline.OutputsOf(Keys.Udp(1, 1, Host)));
        Assert.Equal([3u], _pipeline.OutputsOf(Keys.Udp(1, 1, Keys.Ip(10, 0, 0, 6))));
        Assert.Equal([2u], _pipeline.OutputsOf(Keys.Udp(1, 1, Keys.Ip(10, 9, 0, 6))));
    }

    [Fact]
    public void A_new_table_drops_what_nothing_matches_until_its_miss_entry_is_replaced()
    {
        var key = Keys.Udp(1, 1, 2);
        var trace = _pipeline.Trace(key);
        Assert.True(trace.Dropped);
        Assert.True(Assert.Single(trace.Steps).Entry!.IsTableMiss);

        _pipeline.SetTableMiss(0, FlowInstructions.Apply(PipelineAction.Controller()));
        Assert.True(_pipeline.Trace(key).SentToController);
    }

    [Fact]
    public void The_highest_priority_match_still_wins_after_a_mask_loses_or_regains_its_top_entry()
    {
        var subnet = FlowMatch.Any.Ipv4Dst(Keys.Ip(10, 0, 0, 0), 24);
        _pipeline.Add(0, 20, subnet, PipelineAction.Output(3));
        _pipeline.Add(0, 30, FlowMatch.Any.Ipv4Dst(Keys.Ip(10, 0, 1, 0), 24), PipelineAction.Output(5));
        _pipeline.Add(0, 25, FlowMatch.Any.Ipv4Dst(Host), PipelineAction.Output(4));
        Assert.Equal([4u], _pipeline.OutputsOf(Keys.Udp(1, 1, Host)));

        // The /24 mask's highest priority falls from 30 to 20, below the host mask's 25, and back again.
        _pipeline.Apply(FlowEdit.DeleteStrict(0, 30, FlowMatch.Any.Ipv4Dst(Keys.Ip(10, 0, 1, 0), 24)));
        Assert.Equal([4u], _pipeline.OutputsOf(Keys.Udp(1, 1, Host)));
        _pipeline.Add(0, 40, subnet, PipelineAction.Output(6));
        Assert.Equal([6u], _pipeline.OutputsOf(Keys.Udp(1, 1, Host)));
        _pipeline.Apply(FlowEdit.DeleteStrict(0, 40, subnet));
        Assert.Equal([4u], _pipeline.OutputsOf(Keys.Udp(1, 1, Host)));
        _pipeline.Apply(FlowEdit.DeleteStrict(0, 25, FlowMatch.Any.Ipv4Dst(Host)));
        Assert.Equal([3u], _pipeline.OutputsOf(Keys.Udp(1, 1, Host)));
    }

    [Fact]
    public void Add_with_check_overlap_refuses_an_overlapping_entry_of_equal_priority()
    {
        _pipeline.Add(0, 10, FlowMatch.Any.Ipv4Dst(Keys.Ip(10, 0, 0, 0), 8), PipelineAction.Output(2));
        var overlapping = FlowEdit.Add(0, 10, FlowMatch.Any.L4Dst(80), FlowInstructions.Apply(PipelineAction.Output(3))) with { Flags = FlowEditOptions.CheckOverlap };

        var error = Assert.Throws<FlowEditException>(() => _pipeline.Apply(overlapping));
        Assert.Equal(FlowEditError.Overlap, error.Error);
        _pipeline.Apply(overlapping with { Priority = 11 });
        _pipeline.Apply(overlapping with { Match = FlowMatch.Any.Ipv4Dst(Keys.Ip(11, 0, 0, 1)) });
        Assert.Equal(4, _pipeline.Tables[0].Count);
    }

    [Fact]
    public void Add_of_an_identical_entry_replaces_it_and_keeps_its_counters_unless_told_to_reset()
    {
        var match = FlowMatch.Any.Ipv4Dst(Host);
        _pipeline.Add(0, 10, match, PipelineAction.Output(2));
        _pipeline.Tables[0].FindStrict(match, 10)!.Counters.Count(100, 1);

        _pipeline.Add(0, 10, match, PipelineAction.Output(3));
        var replaced = _pipeline.Tables[0].FindStrict(match, 10)!;
        Assert.Equal(2, _pipeline.Tables[0].Count);
        Assert.Equal(1, replaced.Counters.Packets);
        Assert.Equal([3u], _pipeline.OutputsOf(Keys.Udp(1, 1, Host)));

        _pipeline.Apply(FlowEdit.Add(0, 10, match, FlowInstructions.Apply(PipelineAction.Output(3))) with { Flags = FlowEditOptions.ResetCounts });
        Assert.Equal(0, _pipeline.Tables[0].FindStrict(match, 10)!.Counters.Packets);
    }

    [Fact]
    public void Modify_changes_every_covered_entry_and_modify_strict_only_the_exact_one()
    {
        _pipeline.Add(0, 10, FlowMatch.Any.Ipv4Dst(Host), PipelineAction.Output(2));
        _pipeline.Add(0, 20, FlowMatch.Any.Ipv4Dst(Host).L4Dst(80), PipelineAction.Output(2));
        _pipeline.Add(0, 30, FlowMatch.Any.L4Dst(80), PipelineAction.Output(2));

        _pipeline.Apply(FlowEdit.ModifyStrict(0, 10, FlowMatch.Any.Ipv4Dst(Host), FlowInstructions.Apply(PipelineAction.Output(5))));
        Assert.Equal([5u], _pipeline.OutputsOf(Keys.Udp(1, 1, Host, dstPort: 81)));
        Assert.Equal([2u], _pipeline.OutputsOf(Keys.Udp(1, 1, 9, dstPort: 80)));

        _pipeline.Apply(FlowEdit.Modify(0, FlowMatch.Any.Ipv4Dst(Host), FlowInstructions.Apply(PipelineAction.Output(6))));
        Assert.Equal([6u], _pipeline.OutputsOf(Keys.Udp(1, 1, Host, dstPort: 81)));
        Assert.Equal([2u], _pipeline.OutputsOf(Keys.Udp(1, 1, 9, dstPort: 80)));
        Assert.Equal(4, _pipeline.Tables[0].Count);
    }

    [Fact]
    public void Modify_never_adds()
    {
        _pipeline.Apply(FlowEdit.Modify(0, FlowMatch.Any.Ipv4Dst(Host), FlowInstructions.Apply(PipelineAction.Output(6))));
        Assert.Equal(1, _pipeline.Tables[0].Count);
    }

    [Fact]
    public void Delete_removes_covered_entries_selected_by_cookie_and_mask()
    {
        _pipeline.Apply(FlowEdit.Add(0, 10, FlowMatch.Any.Ipv4Dst(Host), FlowInstructions.Apply(PipelineAction.Output(2))) with { Cookie = 0x1_01 });
        _pipeline.Apply(FlowEdit.Add(0, 10, FlowMatch.Any.Ipv4Dst(Host).L4Dst(80), FlowInstructions.Apply(PipelineAction.Output(2))) with { Cookie = 0x2_01 });
        _pipeline.Apply(FlowEdit.Add(0, 10, FlowMatch.Any.L4Dst(80), FlowInstructions.Apply(PipelineAction.Output(2))) with { Cookie = 0x1_02 });

        _pipeline.Apply(FlowEdit.Delete(0, FlowMatch.Any) with { Cookie = 0x1_00, CookieMask = 0xF_00 });
        Assert.Equal([FlowMatch.Any.Ipv4Dst(Host).L4Dst(80), FlowMatch.Any], _pipeline.Tables[0].Entries.Select(e => e.Match).OrderBy(m => m.IsAny));

        _pipeline.Apply(FlowEdit.Delete(0, FlowMatch.Any.Ipv4Dst(Host)));
        Assert.Equal([FlowMatch.Any], _pipeline.Tables[0].Entries.Select(e => e.Match));
    }

    [Fact]
    public void Delete_can_select_entries_by_the_port_they_output_to()
    {
        _pipeline.Add(0, 10, FlowMatch.Any.Ipv4Dst(Host), PipelineAction.Output(2));
        _pipeline.Add(0, 10, FlowMatch.Any.L4Dst(80), PipelineAction.Output(3));

        _pipeline.Apply(FlowEdit.Delete(0, FlowMatch.Any) with { OutPort = 3 });
        Assert.Equal([FlowMatch.Any.Ipv4Dst(Host), FlowMatch.Any], _pipeline.Tables[0].Entries.Select(e => e.Match).OrderBy(m => m.IsAny));
    }

    [Fact]
    public void Delete_strict_needs_the_exact_match_and_priority_and_notifies_when_asked()
    {
        var match = FlowMatch.Any.Ipv4Dst(Host);
        _pipeline.Apply(FlowEdit.Add(0, 10, match, FlowInstructions.Apply(PipelineAction.Output(2))) with { Flags = FlowEditOptions.SendFlowRemoved });

        _pipeline.Apply(FlowEdit.DeleteStrict(0, 11, match));
        _pipeline.Apply(FlowEdit.DeleteStrict(0, 10, FlowMatch.Any.Ipv4Dst(Keys.Ip(10, 0, 0, 0), 24)));
        Assert.Equal(2, _pipeline.Tables[0].Count);
        Assert.False(_pipeline.TryTakeFlowRemoved(out _));

        _pipeline.Apply(FlowEdit.DeleteStrict(0, 10, match));
        Assert.Equal(1, _pipeline.Tables[0].Count);
        Assert.True(_pipeline.TryTakeFlowRemoved(out var removed));
        Assert.Equal(FlowRemovedReason.Delete, removed.Reason);
    }

    [Fact]
    public void Goto_only_moves_forward_and_write_metadata_is_seen_by_the_next_table()
    {
        var backward = FlowEdit.Add(2, 10, FlowMatch.Any, FlowInstructions.Goto(1));
        Assert.Equal(FlowEditError.GotoNotForward, Assert.Throws<FlowEditException>(() => _pipeline.Apply(backward)).Error);
        Assert.Equal(FlowEditError.BadTableId, Assert.Throws<FlowEditException>(() => _pipeline.Apply(FlowEdit.Add(9, 1, FlowMatch.Any, FlowInstructions.DropPacket))).Error);

        _pipeline.Apply(FlowEdit.Add(0, 10, FlowMatch.Any.InPort(1), FlowInstructions.Goto(2).WithMetadata(0x42, 0xFF)));
        _pipeline.Add(2, 10, FlowMatch.Any.Metadata(0x42, 0xFF), PipelineAction.Output(7));

        var trace = _pipeline.Trace(Keys.Udp(1, 1, 2));
        Assert.Equal([0, 2], trace.Steps.Select(s => (int)s.TableId));
        Assert.Equal([7u], trace.Outputs);
    }

    [Fact]
    public void Tables_hold_a_hundred_thousand_entries_and_find_each()
    {
        for (var i = 0; i < 100_000; i++)
        {
            _pipeline.Add(1, 100 + (i % 7), FlowMatch.Any.Ipv4Dst((uint)i).L4Dst((ushort)(i % 3)), PipelineAction.Output((uint)(i % 50)));
        }

        Assert.Equal(100_001, _pipeline.Tables[1].Count);
        Assert.Equal(2, _pipeline.Tables[1].SubtableCount);
        _pipeline.Apply(FlowEdit.Add(0, 1, FlowMatch.Any, FlowInstructions.Goto(1)));
        for (var i = 0; i < 100_000; i += 997)
        {
            Assert.Equal([(uint)(i % 50)], _pipeline.OutputsOf(Keys.Udp(99, 1, (uint)i, dstPort: (ushort)(i % 3))));
        }
    }
}
