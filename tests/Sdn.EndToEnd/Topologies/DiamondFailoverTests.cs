using System.CommandLine;
using Sdn.Cli.Commands;
using Sdn.EndToEnd.Support;
using Sdn.Fabric.Controller.Model;
using Sdn.Vmm.Guests;

namespace Sdn.EndToEnd.Topologies;

/// <summary>topologies/diamond-failover.yaml: e1 - c1 - {c2 | c3} - c4 - e2, with cables pulled under traffic.</summary>
public sealed class DiamondFailoverTests
{
    private const int Pings = 300;

    [KvmFact]
    public async Task Pulling_either_middle_link_under_ping_loses_at_most_a_few_replies()
    {
        await using var fabric = await TopologyRun.StartAsync(TopologyRun.Load("diamond-failover.yaml").With(
            TopologyRun.Pinger("probe", "e1", "acme/lan", "10.10.0.50", target: "echo", count: Pings)));
        var probe = fabric.Vms["probe"].Machine;

        // c1 spreads LSPs over c2 and c3 (ECMP), so cut one, then mend it and cut the other: one of them carries the pings.
        WaitForReplies(probe, Pings / 3);
        fabric.SetLinkCut("c1--c2", cut: true);
        WaitForReplies(probe, 2 * Pings / 3);
        fabric.SetLinkCut("c1--c2", cut: false);
        fabric.SetLinkCut("c1--c3", cut: true);

        var replies = fabric.RepliesWhenDone("probe");
        Assert.True(replies >= Pings - 4, $"{replies} of {Pings} pings answered");
    }

    [KvmFact]
    public async Task Sdn_link_set_down_under_ping_shuts_the_link_and_keeps_traffic_flowing()
    {
        await using var fabric = await TopologyRun.StartAsync(TopologyRun.Load("diamond-failover.yaml").With(
            TopologyRun.Pinger("probe", "e1", "acme/lan", "10.10.0.50", target: "echo", count: Pings)));
        var probe = fabric.Vms["probe"].Machine;

        WaitForReplies(probe, Pings / 3);
        Assert.Equal(0, await SdnAsync(fabric, "link", "set", "c1--c2", "down"));
        WaitForReplies(probe, 2 * Pings / 3);
        Assert.Equal(0, await SdnAsync(fabric, "link", "set", "c1--c2", "up"));
        Assert.Equal(0, await SdnAsync(fabric, "link", "set", "c1--c3", "down"));
        Assert.True(SpinWait.SpinUntil(() => fabric.IsLinkCut("c1--c3") && !fabric.IsLinkCut("c1--c2"), TopologyRun.Timeout), "the embedded links do not follow their admin state");

        var replies = fabric.RepliesWhenDone("probe");
        Assert.True(replies >= Pings - 4, $"{replies} of {Pings} pings answered");
        Assert.True(fabric.Model.Get(ResourceKinds.Links, "c1--c3").AdminDown);
    }

    private static Task<int> SdnAsync(Cli.Hosting.EmbeddedFabric fabric, params string[] args) =>
        SdnCommandLine.Build().Parse([.. args, "--controller", fabric.Address.ToString()]).InvokeAsync(new InvocationConfiguration { Output = TextWriter.Null });

    private static void WaitForReplies(Vmm.Machine.VirtualMachine probe, int count) =>
        Assert.True(probe.WaitUntil(v => v.Reports.Count(r => r.Key == ReportKey.PingRttTicks) >= count, TopologyRun.Timeout), probe.Serial.Log);
}
