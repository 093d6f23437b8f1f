using Google.Protobuf;
using Sdn.Contracts;
using Sdn.Contracts.Southbound;
using Sdn.Fabric.Controller.Southbound;

namespace Sdn.Fabric.Controller.Tests.Southbound;

public class NodeProgramTests
{
    [Fact]
    public void Full_state_adds_everything()
    {
        var batch = Program(Flow(0, 10, 1, "out1"), Flow(0, 5, 2, "out2")).FullState(7);

        Assert.True(batch.FullState);
        Assert.Equal(7ul, batch.Version);
        Assert.Equal(2, batch.FlowMods.Count);
        Assert.All(batch.FlowMods, m => Assert.Equal(ModOp.Add, m.Op));
        Assert.Single(batch.LfibMods);
    }

    [Fact]
    public void Diff_holds_only_what_changed()
    {
        var before = Program(Flow(0, 10, 1, "a"), Flow(0, 5, 2, "b"), Flow(1, 5, 3, "c"));
        var after = Program(Flow(0, 10, 1, "a"), Flow(0, 5, 2, "changed"), Flow(2, 1, 4, "new"));

        var diff = NodeProgram.Diff(before, after, baseVersion: 3, version: 4);

        Assert.Equal((3ul, 4ul, false), (diff.BaseVersion, diff.Version, diff.FullState));
        Assert.Equal(
            [(ModOp.Delete, 1u), (ModOp.Modify, 0u), (ModOp.Add, 2u)],
            diff.FlowMods.Select(m => (m.Op, m.Entry.TableId)));
        Assert.Empty(diff.LfibMods);
        Assert.Empty(diff.Tables);
    }

    [Fact]
    public void A_flow_is_the_same_flow_whatever_the_order_of_its_match_fields()
    {
        var flow = Flow(0, 10, 1, "x");
        flow.Match.Add(new FieldMatch { Field = Field.EthType, Value = ByteString.CopyFrom(0x08, 0x00) });
        var reordered = new FlowEntry(flow);
        reordered.Match.Clear();
        reordered.Match.Add(flow.Match.Reverse());

        var diff = NodeProgram.Diff(Program(flow), Program(reordered), 1, 2);

        Assert.Single(diff.FlowMods);
        Assert.Equal(ModOp.Modify, diff.FlowMods[0].Op);
    }

    private static NodeProgram Program(params FlowEntry[] flows) =>
        new([new TableConfig { TableId = 0, Miss = TableMiss.Drop }], [], [], flows, [new LfibEntry { InLabel = 16, Operation = LabelOperation.Swap }]);

    private static FlowEntry Flow(uint table, uint priority, uint inPort, string note) => new()
    {
        TableId = table,
        Priority = priority,
        Cookie = (ulong)note.Length,
        Match = { new FieldMatch { Field = Field.InPort, Value = ByteString.CopyFrom(0, 0, 0, (byte)inPort) } },
        Instructions = { new Instruction { ApplyActions = new ApplyActions { Actions = { new FlowAction { Output = (uint)note.GetHashCode(StringComparison.Ordinal) } } } } },
    };
}
