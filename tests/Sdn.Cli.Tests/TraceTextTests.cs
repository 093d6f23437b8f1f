using Sdn.Cli.Commands;
using Sdn.Contracts;

namespace Sdn.Cli.Tests;

/// <summary>`sdn trace` and `sdn flows` name the tables the edge names, and say when port security dropped the packet.</summary>
public class TraceTextTests
{
    private static readonly FlowEntry Spoofed = new()
    {
        TableId = 1,
        Priority = 10,
        Instructions = { new Instruction { ApplyActions = new ApplyActions { Actions = { new FlowAction { Drop = new DropAction { Reason = DropReason.PortSecurity } } } } } },
    };

    [Fact]
    public void A_trace_names_the_tables_and_its_port_security_drop()
    {
        var result = new TraceResult
        {
            Steps =
            {
                new TraceStep { TableId = 0, TableName = "classify", Matched = new FlowEntry { Priority = 100, Instructions = { new Instruction { GotoTable = 1 } } } },
                new TraceStep { TableId = 1, TableName = "port-security", Matched = Spoofed },
                new TraceStep { TableId = 2 },
            },
            DatapathActions = { "drop(port_security)" },
            Verdict = "drop (port security)",
            DropReason = DropReason.PortSecurity,
        };

        var lines = TraceText.Render("vm1", [], result).Split(Environment.NewLine);

        Assert.Equal("table 0 (classify): priority=100 actions=goto_table:1", lines[1]);
        Assert.Equal("table 1 (port-security): priority=10 actions=drop(port_security)", lines[2]);
        Assert.Equal("table 2: no entry matched, not even a table-miss: drop", lines[3]);
        Assert.Contains("verdict: drop (port security)", lines);
    }

    [Fact]
    public void Flows_name_a_named_table_after_its_number()
    {
        var dump = new FlowDump { Flows = { new FlowEntryStats { Entry = Spoofed }, new FlowEntryStats { Entry = new FlowEntry { TableId = 2 } } }, TableNames = { [1] = "port-security" } };

        var lines = FlowsCommand.Render(dump).Split(Environment.NewLine);

        Assert.Contains(" table=1 (port-security), n_packets=0,", lines[0], StringComparison.Ordinal);
        Assert.EndsWith("priority=10 actions=drop(port_security)", lines[0], StringComparison.Ordinal);
        Assert.Contains(" table=2, n_packets=0,", lines[1], StringComparison.Ordinal);
    }
}
