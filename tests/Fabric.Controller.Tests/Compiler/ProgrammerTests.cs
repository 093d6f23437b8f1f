using Grpc.Core;
using Sdn.Contracts;
using Sdn.Contracts.Southbound;
using Sdn.Fabric.Controller.Compiler;
using Sdn.Fabric.Controller.Model;

namespace Sdn.Fabric.Controller.Tests.Compiler;

/// <summary>The edge and core programmers apply a batch whole or not at all, and a full-state batch removes what is stale.</summary>
public sealed class ProgrammerTests : IDisposable
{
    private readonly FabricModel _model = Topologies.MultiTenant();
    private readonly CompiledFabric _compiled;
    private readonly FabricRig _rig;

    public ProgrammerTests()
    {
        _compiled = FabricCompiler.Compile(_model.Snapshot());
        _rig = new FabricRig(_model.Snapshot());
        _rig.Install(_compiled);
    }

    [Fact]
    public void An_edge_refuses_a_batch_that_sends_to_a_missing_group_and_keeps_forwarding_as_before()
    {
        var edge = _rig.EdgeProgrammers["e1"];
        var program = edge.Program;
        var batch = new ProgramBatch { Version = 7, BaseVersion = edge.Version };
        batch.PortMods.Add(new PortMod { Op = ModOp.Add, Port = new PortConfig { Number = 77, Name = "extra" } });
        batch.FlowMods.Add(new FlowMod { Op = ModOp.Add, Entry = ProgramMessages.Flow(EdgeTables.Forward, 5, [], ProgramMessages.Apply(ProgramMessages.Group(999))) });

        var refused = Assert.Throws<ProgramException>(() => edge.Apply(batch));

        Assert.Equal(StatusCode.FailedPrecondition, refused.Status);
        Assert.Same(program, edge.Program);
        Assert.Equal(_compiled.Version, edge.Version);
        Assert.Null(edge.Port("extra"));
        Assert.Single(_rig.Send("alpha-f1", Traffic.Udp(Port("alpha-f1"), Port("alpha-f2")))["alpha-f2"]);
    }

    [Fact]
    public void A_batch_the_switch_refuses_half_way_leaves_the_program_and_the_tables_as_they_were()
    {
        var edge = _rig.EdgeProgrammers["e1"];
        var program = edge.Program;
        var entries = _rig.Edges["e1"].Pipeline.Tables.Sum(t => t.Count);
        // A port attached behind the programmer's back: the switch refuses the batch's port of that number when installing it.
        _rig.Edges["e1"].AddPort(new Edge.Datapath.InternalPort(77, "squatter"));
        var flow = new FlowMod { Op = ModOp.Add, Entry = ProgramMessages.Flow(EdgeTables.Forward, 7, [ProgramMessages.Exact(Field.EthType, 0x88B5)]) };
        var refusedBatch = new ProgramBatch { Version = edge.Version + 1, BaseVersion = edge.Version, FlowMods = { flow } };
        refusedBatch.PortMods.Add(new PortMod { Op = ModOp.Add, Port = new PortConfig { Number = 77, Name = "extra" } });

        var refused = Assert.Throws<ProgramException>(() => edge.Apply(refusedBatch));

        Assert.Equal(StatusCode.Internal, refused.Status);
        Assert.Same(program, edge.Program);
        Assert.Equal(_compiled.Version, edge.Version);
        Assert.Equal(entries, _rig.Edges["e1"].Pipeline.Tables.Sum(t => t.Count));
        Assert.Single(_rig.Send("alpha-f1", Traffic.Udp(Port("alpha-f1"), Port("alpha-f2")))["alpha-f2"]);

        // The refused batch's flow is not held either, so the next batch may add it.
        edge.Apply(new ProgramBatch { Version = edge.Version + 1, BaseVersion = edge.Version, FlowMods = { flow } });
        Assert.Equal(program.Flows.Count + 1, edge.Program.Flows.Count);
    }

    [Fact]
    public void A_port_the_edge_cannot_attach_refuses_the_whole_batch()
    {
        var edge = new Edge.EdgeSwitch();
        var programmer = new Edge.Agent.EdgeProgrammer(edge, new NoDevices());
        var program = _compiled.ProgramOf("e1");

        var refused = Assert.Throws<ProgramException>(() => programmer.Apply(program.FullState(1)));

        Assert.Equal(StatusCode.FailedPrecondition, refused.Status);
        Assert.Equal(0ul, programmer.Version);
        Assert.All(edge.Pipeline.Tables, t => Assert.True(Assert.Single(t.Entries).IsTableMiss));
    }

    [Fact]
    public void A_diff_for_another_version_is_refused()
    {
        var batch = new ProgramBatch { Version = 9, BaseVersion = 8 };

        Assert.Equal(StatusCode.FailedPrecondition, Assert.Throws<ProgramException>(() => _rig.EdgeProgrammers["e1"].Apply(batch)).Status);
        Assert.Equal(StatusCode.FailedPrecondition, Assert.Throws<ProgramException>(() => _rig.CorePrograms["c1"].Apply(batch)).Status);
    }

    [Fact]
    public void A_core_refuses_a_next_hop_on_an_interface_it_does_not_have()
    {
        var core = _rig.CorePrograms["c1"];
        var lfib = _rig.Cores["c1"].Lfib;
        var batch = new ProgramBatch { Version = 5, BaseVersion = core.Version };
        var entry = new LfibEntry { InLabel = 4000, Operation = LabelOperation.Swap };
        entry.NextHops.Add(new NextHop { Interface = "nowhere", OutLabel = 20 });
        batch.LfibMods.Add(new LfibMod { Op = ModOp.Add, Entry = entry });

        Assert.Equal(StatusCode.NotFound, Assert.Throws<ProgramException>(() => core.Apply(batch)).Status);
        Assert.Same(lfib, _rig.Cores["c1"].Lfib);
    }

    [Fact]
    public void A_full_state_batch_removes_what_the_node_holds_beyond_it()
    {
        _model.Delete(ResourceKinds.Ports, "beta-f1");
        var next = FabricCompiler.Compile(_model.Snapshot(), _compiled);
        var edge = _rig.EdgeProgrammers["e1"];

        edge.Apply(next.ProgramOf("e1").FullState(next.Version));

        Assert.Equal(next.ProgramOf("e1").Flows.Keys.Order(), edge.Program.Flows.Keys.Order());
        Assert.Null(edge.Port("beta-f1"));
        // Each table's miss is an entry of its own.
        Assert.Equal(next.ProgramOf("e1").Flows.Count + next.ProgramOf("e1").Tables.Count, _rig.Edges["e1"].Pipeline.Tables.Where(t => t.Id <= EdgeTables.Egress).Sum(t => t.Count));
    }

    [Fact]
    public void A_table_setting_becomes_the_tables_miss_behaviour()
    {
        var edge = _rig.EdgeProgrammers["e1"];
        var (a, b) = (Port("alpha-f1"), Port("gamma-1"));
        var batch = new ProgramBatch { Version = edge.Version + 1, BaseVersion = edge.Version };
        batch.Tables.Add(new TableConfig { TableId = EdgeTables.Forward, Miss = TableMiss.Controller });

        edge.Apply(batch);

        var trace = _rig.Edges["e1"].Trace(_compiled.VnicNumber("e1", a.Name), Traffic.Udp(a, b));
        Assert.True(trace.SentToController);
        Assert.Empty(trace.Outputs);
    }

    [Fact]
    public void Flows_of_a_batch_that_share_an_instruction_share_its_translation_and_each_installs_as_sent()
    {
        var edge = _rig.EdgeProgrammers["e1"];
        var port = _compiled.VnicNumber("e1", "alpha-f1");
        var shared = ProgramMessages.Apply(ProgramMessages.Output(port));
        FlowEntry Flow(ushort ethType, Instruction instruction) => ProgramMessages.Flow(EdgeTables.Forward, 7, [ProgramMessages.Exact(Field.EthType, ethType)], instruction);
        var batch = new ProgramBatch { Version = edge.Version + 1, BaseVersion = edge.Version };
        batch.FlowMods.Add(new FlowMod { Op = ModOp.Add, Entry = Flow(0x88B5, shared) });
        batch.FlowMods.Add(new FlowMod { Op = ModOp.Add, Entry = Flow(0x88B6, shared) });
        batch.FlowMods.Add(new FlowMod { Op = ModOp.Add, Entry = Flow(0x88B7, ProgramMessages.Apply(ProgramMessages.Output(port), new FlowAction { DecIpTtl = new EmptyAction() })) });

        edge.Apply(batch);

        var installed = _rig.Edges["e1"].Pipeline.Tables[(int)EdgeTables.Forward].Entries.Where(e => e.Priority == 7).Select(e => e.Instructions).ToList();
        Assert.Equal(3, installed.Count);
        Assert.Equal(2, installed.Distinct(ReferenceEqualityComparer.Instance).Count());
        Assert.Equal(2, installed.Count(i => i.ApplyActions.SequenceEqual([Edge.Pipeline.PipelineAction.Output(port)])));
        Assert.Single(installed, i => i.ApplyActions.SequenceEqual([Edge.Pipeline.PipelineAction.Output(port), Edge.Pipeline.PipelineAction.DecIpTtl()]));
    }

    [Fact]
    public void A_program_grown_by_a_batch_diffs_back_to_what_a_full_comparison_gives()
    {
        var program = _compiled.ProgramOf("e1");
        var batch = new ProgramBatch();
        batch.FlowMods.Add(new FlowMod { Op = ModOp.Add, Entry = ProgramMessages.Flow(EdgeTables.Forward, 7, [ProgramMessages.Exact(Field.EthType, 0x88B5)]) });
        batch.FlowMods.Add(new FlowMod { Op = ModOp.Delete, Entry = program.Flows.Values.First() });

        var grown = program.Apply(batch);
        var copy = new NodeProgram(grown.Tables.Values, grown.Ports.Values, grown.Groups.Values, grown.Flows.Values, grown.Lfib.Values);

        Assert.Equal(
            NodeProgram.Diff(program, copy, 1, 2).FlowMods.Select(m => (m.Op, FlowIdentity.Of(m.Entry))).Order(),
            NodeProgram.Diff(program, grown, 1, 2).FlowMods.Select(m => (m.Op, FlowIdentity.Of(m.Entry))).Order());
    }

    public void Dispose() => _rig.Dispose();

    private Port Port(string name) => _model.Get(ResourceKinds.Ports, name);

    /// <summary>An edge's host that has no device for any port.</summary>
    private sealed class NoDevices : IPortBinder<Edge.Datapath.IEdgePort>
    {
        public Edge.Datapath.IEdgePort Bind(PortConfig config) => throw new ProgramException(StatusCode.FailedPrecondition, $"no device {config.Name}");

        public void Release(Edge.Datapath.IEdgePort port)
        {
        }
    }
}
