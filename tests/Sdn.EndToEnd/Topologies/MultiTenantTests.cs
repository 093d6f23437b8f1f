using Sdn.Common.Interop;
using Sdn.EndToEnd.Support;

namespace Sdn.EndToEnd.Topologies;

/// <summary>
/// topologies/multi-tenant.yaml, where alpha and beta use the same subnet: only the edge keeps them apart, and
/// alpha's router and ACL let its front network reach its back network on TCP 5432 and nothing else.
/// </summary>
public sealed class MultiTenantTests
{
    private const int Postgres = 5432;
    private const int Http = 80;

    [KvmFact]
    public async Task Tenants_sharing_a_subnet_reach_their_own_vms_and_never_each_other()
    {
        await using var fabric = await TopologyRun.StartAsync(TopologyRun.Load("multi-tenant.yaml").With(
            TopologyRun.Pinger("probe-a", "e1", "alpha/front", "10.0.1.50", target: "alpha-f2"),
            TopologyRun.Pinger("probe-b", "e1", "beta/front", "10.0.1.60", target: "beta-f2"),
            TopologyRun.Pinger("probe-ab", "e1", "alpha/front", "10.0.1.51", target: "10.0.1.21"),
            TopologyRun.Pinger("probe-fb", "e1", "alpha/front", "10.0.1.52", target: "alpha-b1")));

        Assert.Equal(3ul, fabric.RepliesWhenDone("probe-a"));
        Assert.Equal(3ul, fabric.RepliesWhenDone("probe-b"));
        fabric.AssertNeverAnswered("probe-ab");
        fabric.AssertNeverAnswered("probe-fb");
    }

    [KvmFact]
    public async Task Alphas_front_reaches_its_back_on_tcp_5432_only_and_beta_reaches_neither()
    {
        await using var fabric = await TopologyRun.StartAsync(TopologyRun.Load("multi-tenant.yaml"));
        var (front, back, beta) = (fabric.Hosts["a-front"].Namespace, fabric.Hosts["a-back"].Namespace, fabric.Hosts["b-front"].Namespace);
        const string BackAddress = "10.0.2.31";

        Assert.True(Iperf3.Gbps(back, BackAddress, front, seconds: 1, port: Postgres) > 0.001);
        Assert.Throws<ExternalCommandException>(() => Iperf3.Gbps(back, BackAddress, front, seconds: 1, port: Http));
        Assert.Throws<ExternalCommandException>(() => Iperf3.Gbps(back, BackAddress, beta, seconds: 1, port: Postgres));
        Assert.Contains(" 0 received", await fabric.PingFromHostAsync("a-front", BackAddress), StringComparison.Ordinal);
        Assert.Contains(" 0 received", await fabric.PingFromHostAsync("b-front", "10.0.1.31"), StringComparison.Ordinal);
    }
}
