using Sdn.EndToEnd.Support;

namespace Sdn.EndToEnd.Topologies;

/// <summary>topologies/multi-tenant.yaml, where alpha and beta use the same subnet: only the edge keeps them apart.</summary>
public sealed class MultiTenantTests
{
    [KvmFact]
    public async Task Tenants_sharing_a_subnet_reach_their_own_vms_and_never_each_other()
    {
        await using var fabric = await TopologyRun.StartAsync(TopologyRun.Load("multi-tenant.yaml").With(
            TopologyRun.Pinger("probe-a", "e1", "alpha/front", "10.0.1.50", target: "alpha-f2"),
            TopologyRun.Pinger("probe-b", "e1", "beta/front", "10.0.1.60", target: "beta-f2"),
            TopologyRun.Pinger("probe-ab", "e1", "alpha/front", "10.0.1.51", target: "10.0.1.21")));

        Assert.Equal(3ul, fabric.RepliesWhenDone("probe-a"));
        Assert.Equal(3ul, fabric.RepliesWhenDone("probe-b"));
        fabric.AssertNeverAnswered("probe-ab");
    }
}
