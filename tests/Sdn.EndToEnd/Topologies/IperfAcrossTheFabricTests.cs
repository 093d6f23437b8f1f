using Sdn.Contracts;
using Sdn.EndToEnd.Support;

namespace Sdn.EndToEnd.Topologies;

/// <summary>TCP between two Linux namespaces of quickstart, h1 on e2 and a second host on e1: edge, core, edge.</summary>
public sealed class IperfAcrossTheFabricTests
{
    [KvmFact]
    public async Task Iperf3_runs_between_namespaces_across_edge_core_and_edge()
    {
        var topology = TopologyRun.Load("quickstart.yaml");
        await using var fabric = await TopologyRun.StartAsync(topology.With(
            new Port { Name = "h2", Edge = "e1", Network = "red.web", Ipv4 = "10.1.0.101", Kind = PortKind.Tap }));

        var gbps = Iperf3.Gbps(fabric.Hosts["h2"].Namespace, "10.1.0.101", fabric.Hosts["h1"].Namespace, seconds: 1);

        Assert.True(gbps > 0.001, $"{gbps} Gbit/s");
    }
}
