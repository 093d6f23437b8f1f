using Google.Protobuf;
using Grpc.Core;
using Sdn.Contracts;
using Sdn.Contracts.Southbound;

namespace Sdn.Contracts.Tests.Southbound;

/// <summary>A program's next version is the batch applied whole, and no version changes once made, however many layers they share.</summary>
public class NodeProgramApplyTests
{
    private static readonly PortConfig Vnic = new() { Number = 1, Name = "vnic" };

    [Fact]
    public void A_diff_adds_modifies_deletes_and_sets_tables()
    {
        var start = Start();
        var diff = Diff(Mod(ModOp.Delete, Flow(1)), Mod(ModOp.Modify, Flow(2, cookie: 9)), Mod(ModOp.Add, Flow(5)));
        diff.Tables.Add(new TableConfig { TableId = 3, Miss = TableMiss.Controller });

        var next = start.Apply(diff);

        Assert.Equal(Bytes(new NodeProgram([diff.Tables[0]], [Vnic], [], [Flow(2, cookie: 9), Flow(3), Flow(5)], [])), Bytes(next));
        Assert.Equal(9ul, next.Flows.Values.Single(f => f.Match.Equals(Flow(2).Match)).Cookie);
    }

    [Fact]
    public void A_diff_that_does_not_fit_half_way_leaves_the_program_as_it_was()
    {
        var start = Start();
        var before = Bytes(start);
        var diff = Diff(Mod(ModOp.Add, Flow(5)), Mod(ModOp.Delete, Flow(1)), Mod(ModOp.Add, Flow(2)));

        Assert.Equal(StatusCode.AlreadyExists, Assert.Throws<ProgramException>(() => start.Apply(diff)).Status);
        Assert.Equal(StatusCode.NotFound, Assert.Throws<ProgramException>(() => start.Apply(Diff(Mod(ModOp.Delete, Flow(1)), Mod(ModOp.Modify, Flow(9))))).Status);

        Assert.Equal(before, Bytes(start));
        Assert.Equal(4, start.Apply(Diff(Mod(ModOp.Add, Flow(5)))).Flows.Count);
    }

    [Fact]
    public void Within_one_batch_a_flow_may_be_deleted_and_added_again_or_added_and_deleted()
    {
        var next = Start().Apply(Diff(Mod(ModOp.Delete, Flow(1)), Mod(ModOp.Add, Flow(1, cookie: 4)), Mod(ModOp.Add, Flow(7)), Mod(ModOp.Delete, Flow(7))));

        Assert.Equal(Bytes(new NodeProgram([], [Vnic], [], [Flow(1, cookie: 4), Flow(2), Flow(3)], [])), Bytes(next));
    }

    /// <summary>Versions share layers and merge them as they grow; every version must keep holding what it held.</summary>
    [Fact]
    public void Every_version_of_a_program_grown_batch_by_batch_holds_what_its_batches_made()
    {
        var random = new Random(7);
        var model = new Dictionary<uint, ulong>();
        var versions = new List<(NodeProgram Program, ByteString Expected)>();
        var program = NodeProgram.Empty;
        for (var step = 0; step < 40; step++)
        {
            var mods = new List<FlowMod>();
            var touched = new HashSet<uint>();
            for (var i = random.Next(1, 4 + (step * 3)); i > 0; i--)
            {
                var flow = (uint)random.Next(200);
                if (!touched.Add(flow))
                {
                    continue;
                }

                var cookie = (ulong)random.Next(1000);
                var op = !model.ContainsKey(flow) ? ModOp.Add : random.Next(2) == 0 ? ModOp.Modify : ModOp.Delete;
                mods.Add(Mod(op, Flow(flow, cookie)));
                if (op == ModOp.Delete)
                {
                    model.Remove(flow);
                }
                else
                {
                    model[flow] = cookie;
                }
            }

            program = program.Apply(Diff([.. mods]));
            versions.Add((program, Bytes(new NodeProgram([], [], [], model.Select(f => Flow(f.Key, f.Value)), []))));
        }

        Assert.All(versions, v => Assert.Equal(v.Expected, Bytes(v.Program)));
        Assert.Equal(model.Count, program.Flows.Count);
        Assert.All(model, f => Assert.Equal(f.Value, program.Flows[FlowIdentity.Of(Flow(f.Key))].Cookie));
        Assert.False(program.Flows.ContainsKey(FlowIdentity.Of(Flow(999))));
    }

    private static NodeProgram Start() => new([], [Vnic], [], [Flow(1), Flow(2), Flow(3)], []);

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
