using Sdn.Contracts;
using Sdn.Contracts.Southbound;
using Sdn.Fabric.Controller.Southbound;

namespace Sdn.Fabric.Controller.Tests.Southbound;

/// <summary>What a session remembers of a node's ports: the node reports a VM or host only when it changes, so no report may be lost to timing.</summary>
public class PortLedgerTests
{
    [Fact]
    public void A_report_that_comes_before_its_port_is_sent_counts_once_it_is()
    {
        var ledger = new PortLedger();
        ledger.Sent(NodeProgram.Empty, 1);

        ledger.Realized(new PortStatus { Port = "vm1", Up = true });
        ledger.Sent(Program(Vm("vm1", 1)), 2);

        Assert.Equal(2ul, ledger.Since("vm1"));
        Assert.True(ledger.RealizationOf("vm1")?.Up);
    }

    [Fact]
    public void A_changed_port_keeps_its_realization_and_dates_from_the_change_and_a_removed_one_is_forgotten()
    {
        var ledger = new PortLedger();
        ledger.Sent(Program(Vm("vm1", 1)), 1);
        ledger.Realized(new PortStatus { Port = "vm1", Up = true });

        ledger.Sent(Program(Vm("vm1", 7)), 2);

        Assert.Equal(2ul, ledger.Since("vm1"));
        Assert.True(ledger.RealizationOf("vm1")?.Up);
        ledger.Sent(NodeProgram.Empty, 3);
        Assert.Null(ledger.Since("vm1"));
        Assert.Null(ledger.RealizationOf("vm1"));
    }

    private static PortConfig Vm(string name, uint number) => new() { Name = name, Number = number, Kind = PortKind.Vnic, Vm = new VmLaunch() };

    private static NodeProgram Program(params PortConfig[] ports) => new([], ports, [], [], []);
}
