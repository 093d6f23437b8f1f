using Sdn.EndToEnd.Support;

namespace Sdn.EndToEnd.Topologies;

/// <summary>
/// topologies/dual-stack.yaml: two tenants with two dual-stack networks each on three edges. Hosts and VMs reach
/// each other over IPv4 and IPv6, within a network and across the tenant's router, and never across tenants.
/// </summary>
public sealed class DualStackTests
{
    [KvmFact]
    public async Task Hosts_and_vms_reach_each_other_within_and_across_networks_over_both_families()
    {
        await using var fabric = await TopologyRun.StartAsync(TopologyRun.Load("dual-stack.yaml").With(
            TopologyRun.Pinger("probe", "e2", "shop/db", "10.30.2.50", target: "web1")));
        var www2 = fabric.Model.Get(Fabric.Controller.Model.ResourceKinds.Ports, "www2");

        foreach (var address in new[] { "10.30.2.21", "fd00:30:2::21", "10.30.2.11", "fd00:30:2::11", www2.Ipv4, www2.Ipv6 })
        {
            Assert.Contains(" 3 received", await fabric.PingFromHostAsync("www", address), StringComparison.Ordinal);
        }

        Assert.Equal(3ul, fabric.RepliesWhenDone("probe"));
        await fabric.AssertPingsAsync("web1", "sql");
        await fabric.AssertPingsAsync("web1", "www2");
        await fabric.AssertPingsAsync("dev1", "ci1");
        await fabric.AssertPingsAsync("db1", "www", ipv6: true);
        await fabric.AssertPingsAsync("web1", "www2", ipv6: true);
    }

    [KvmFact]
    public async Task Tenants_never_reach_each_other_routed_or_not()
    {
        await using var fabric = await TopologyRun.StartAsync(TopologyRun.Load("dual-stack.yaml"));

        Assert.Contains(" 0 received", await fabric.PingFromHostAsync("www", "10.40.2.21"), StringComparison.Ordinal);
        Assert.Contains(" 0 received", await fabric.PingFromHostAsync("build", "10.30.2.21"), StringComparison.Ordinal);
        var (exit, output, _) = await SdnCli.RunAsync(fabric.Address, "ping", "web1", "ci1", "-c", "2", "-i", "0.05", "-W", "0.3");
        Assert.True(exit != 0 && output.Contains(" 0 received", StringComparison.Ordinal), output);
    }

    [KvmFact]
    public async Task Iperf3_over_ipv6_crosses_two_edges_through_the_router()
    {
        await using var fabric = await TopologyRun.StartAsync(TopologyRun.Load("dual-stack.yaml"));

        var gbps = Iperf3.Gbps(fabric.Hosts["sql"].Namespace, "fd00:30:2::21", fabric.Hosts["www"].Namespace, seconds: 1);

        Assert.True(gbps > 0.001, $"{gbps} Gbit/s");
    }

    [KvmFact]
    public async Task Sdn_trace_of_a_routed_packet_shows_the_routing_step()
    {
        await using var fabric = await TopologyRun.StartAsync(TopologyRun.Load("dual-stack.yaml"));

        var (exit, output) = await SdnCli.InvokeAsync(fabric.Address, "trace", "www", "--packet", "tcp6,ipv6_dst=fd00:30:2::21,tp_dst=5432");

        Assert.Equal(0, exit);
        Assert.Matches(@"\ntable 4 \(route\): priority=100,.*actions=set_field:[0-9a-f:]+->dl_src,set_field:[0-9a-f:]+->dl_dst,dec_ttl", output);
        Assert.Contains("\nverdict: output e1--c1", output, StringComparison.Ordinal);
    }
}
