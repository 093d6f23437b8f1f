using Google.Protobuf;
using Sdn.Fabric.Core.Protos;
using Sdn.Fabric.Core.Rpc;
using Sdn.Fabric.Core.Southbound;

namespace Sdn.Fabric.Core.Tests.Southbound;

/// <summary>A held program changes in place batch by batch, and a batch taken back leaves it exactly as it was.</summary>
public class HeldProgramTests
{
    private static readonly PortConfig Vnic = new() { Number = 1, Name = "vnic" };

    [Fact]
    public void A_committed_diff_gives_what_an_immutable_program_gives()
    {
        var held = Held(out var start);
        var diff = Diff(Mod(ModOp.Delete, Flow(1)), Mod(ModOp.Modify, Flow(2, cookie: 9)), Mod(ModOp.Add, Flow(5)));
        diff.Tables.Add(new TableConfig { TableId = 3, Miss = TableMiss.Controller });

        held.Apply(diff);
        held.Commit();

        Assert.Equal(Bytes(start.Apply(diff)), Bytes(held.Committed));
    }

    [Fact]
    public void A_reverted_diff_leaves_the_program_as_it_was()
    {
        var held = Held(out var start);
        var diff = Diff(Mod(ModOp.Delete, Flow(1)), Mod(ModOp.Modify, Flow(2, cookie: 9)), Mod(ModOp.Add, Flow(5)), Mod(ModOp.Delete, Flow(5)));
        diff.PortMods.Add(new PortMod { Op = ModOp.Delete, Port = Vnic });

        held.Apply(diff);
        Assert.Empty(held.Ports);
        held.Revert();

        Assert.Equal(Bytes(start), Bytes(held.Committed));
        Assert.Equal(Vnic, held.Ports[1]);
    }

    [Fact]
    public void A_diff_that_does_not_fit_half_way_changes_nothing()
    {
        var held = Held(out var start);
        var diff = Diff(Mod(ModOp.Add, Flow(5)), Mod(ModOp.Delete, Flow(1)), Mod(ModOp.Add, Flow(2)));

        Assert.Equal(StatusCode.AlreadyExists, Assert.Throws<ProgramException>(() => held.Apply(diff)).Status);

        Assert.Equal(Bytes(start), Bytes(held.Committed));
        held.Apply(Diff(Mod(ModOp.Add, Flow(5))));
    }

    [Fact]
    public void While_a_batch_is_in_progress_the_committed_program_is_the_one_before_it()
    {
        var held = Held(out var start);

        held.Apply(Diff(Mod(ModOp.Add, Flow(5))));

        Assert.Equal(Bytes(start), Bytes(held.Committed));
        held.Commit();
        Assert.Equal(4, held.Committed.Flows.Count);
    }

    private static HeldProgram Held(out NodeProgram start)
    {
        start = new NodeProgram([], [Vnic], [], [Flow(1), Flow(2), Flow(3)], []);
        var held = new HeldProgram();
        held.Replace(start);
        return held;
    }

    private static FlowEntry Flow(uint i, ulong cookie = 0)
    {
        var entry = new FlowEntry { TableId = 3, Priority = 100, Cookie = cookie };
        entry.Match.Add(new FieldMatch { Field = Field.EthDst, Value = ByteString.CopyFrom(2, 0, 0, 0, 0, (byte)i) });
        return entry;
    }

    private static FlowMod Mod(ModOp op, FlowEntry entry) => new() { Op = op, Entry = entry };

    private static ProgramBatch Diff(params FlowMod[] mods) => new() { FlowMods = { mods } };

    private static ByteString Bytes(NodeProgram program) => program.FullState(1).ToByteString();
}
