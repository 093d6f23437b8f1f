using Sdn.Contracts;
using Sdn.Contracts.Southbound;
using Sdn.Fabric.Edge.Agent;
using Sdn.Fabric.Edge.Datapath;
using Sdn.Fabric.Edge.Tests.Support;

namespace Sdn.Fabric.Edge.Tests.Agent;

/// <summary>Traces and flow dumps name the tables as the controller's table configs do, and say why port security dropped a packet.</summary>
public class TraceReportTests
{
    private readonly EdgeSwitch _edge = new(3);
    private readonly EdgeProgrammer _programmer;

    public TraceReportTests()
    {
        _programmer = new EdgeProgrammer(_edge, new NoDevices());
        var spoofed = new FlowEntry
        {
            TableId = 1,
            Priority = 10,
            Instructions = { new Instruction { ApplyActions = new ApplyActions { Actions = { new FlowAction { Drop = new DropAction { Reason = DropReason.PortSecurity } } } } } },
        };
        _programmer.Apply(new ProgramBatch
        {
            Version = 1,
            FullState = true,
            Tables =
            {
                new TableConfig { TableId = 0, Name = "classify", Miss = TableMiss.NextTable },
                new TableConfig { TableId = 1, Name = "port-security", Miss = TableMiss.NextTable },
            },
            FlowMods = { new FlowMod { Op = ModOp.Add, Entry = spoofed } },
        });
    }

    [Fact]
    public void A_trace_names_each_table_and_ends_in_a_port_security_drop()
    {
        var result = TraceReport.Of(_edge.Trace(1, Frames.Udp()), _programmer.Program);

        Assert.Equal(["classify", "port-security"], result.Steps.Select(s => s.TableName));
        Assert.Equal(DropReason.PortSecurity, result.DropReason);
        Assert.Equal("drop (port security)", result.Verdict);
        Assert.Equal(["drop(port_security)"], result.DatapathActions);
    }

    [Fact]
    public void The_pipeline_trace_prints_a_table_with_its_name()
    {
        var trace = _edge.Trace(1, Frames.Udp()).ToString();

        Assert.StartsWith("table 0 (classify): priority 0 (table-miss)", trace, StringComparison.Ordinal);
        Assert.Contains("\ntable 1 (port-security): priority 10 match any -> apply(drop(port_security))", trace, StringComparison.Ordinal);
    }

    [Fact]
    public void A_flow_dump_lists_the_named_tables_and_a_later_table_config_renames_one()
    {
        Assert.Equal(new Dictionary<uint, string> { [0] = "classify", [1] = "port-security" }, FlowTableDump.Of("e1", _edge, _programmer.Program, null).TableNames);

        _programmer.Apply(new ProgramBatch { Version = 2, BaseVersion = 1, Tables = { new TableConfig { TableId = 1, Name = "anti-spoofing", Miss = TableMiss.NextTable } } });

        Assert.Equal(new Dictionary<uint, string> { [0] = "classify", [1] = "anti-spoofing" }, FlowTableDump.Of("e1", _edge, _programmer.Program, null).TableNames);
        Assert.Equal(new Dictionary<uint, string> { [1] = "anti-spoofing" }, FlowTableDump.Of("e1", _edge, _programmer.Program, 1).TableNames);
    }

    private sealed class NoDevices : IPortBinder<IEdgePort>
    {
        public IEdgePort Bind(PortConfig config) => throw new ProgramException($"no devices here for port '{config.Name}'");

        public void Release(IEdgePort port)
        {
        }
    }
}
