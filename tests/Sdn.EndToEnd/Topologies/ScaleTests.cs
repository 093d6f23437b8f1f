using Sdn.EndToEnd.Support;

namespace Sdn.EndToEnd.Topologies;

/// <summary>topologies/scale-100.yaml: a hundred micro-VMs over four edges.</summary>
public sealed class ScaleTests
{
    [KvmFact]
    public async Task A_hundred_vms_come_up_within_five_seconds_and_reach_across_the_core()
    {
        await using var fabric = await TopologyRun.StartAsync(TopologyRun.Load("scale-100.yaml").With(
            TopologyRun.Pinger("probe", "e1", "t1/lan", "10.20.0.200", target: "vm098")));

        Assert.Equal(101, fabric.Vms.Count);
        Assert.True(fabric.UpTime < TimeSpan.FromSeconds(5), $"up in {fabric.UpTime.TotalMilliseconds:F0} ms");
        Assert.Equal(3ul, fabric.RepliesWhenDone("probe"));
    }
}
