using System.Net;
using Sdn.EndToEnd.Support;
using Sdn.Fabric.Controller.Hosting;
using Sdn.Fabric.Controller.Tests.Topology;
using Sdn.Fabric.Controller.Topology;

namespace Sdn.Benchmarks.EndToEnd;

/// <summary>
/// The embedded fabric end to end: how long `sdn up` takes, from nothing to every node holding what the controller
/// compiled and every VM's application up, for topologies/quickstart.yaml and topologies/scale-100.yaml (median of
/// runs); and iperf3 TCP between two namespaces on TAP ports of two edges, across edge, core and edge, against the
/// same through one Open vSwitch userspace bridge, the two alternating in one run (median of rounds).
/// </summary>
internal sealed class EndToEndSuite : IBenchmarkSuite
{
    public string Name => "e2e";

    public string Description => "sdn up time (quickstart, scale-100); iperf3 across the fabric vs Open vSwitch (netdev datapath, TAPs)";

    public IReadOnlyList<KeyValuePair<string, double>> Run(BenchmarkOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var runs = options.Quick ? 1 : 3;
        var (fabric, ovs) = IperfMedians(rounds: runs, seconds: options.Quick ? 2 : 5);
        return
        [
            new("up_ms_quickstart", MedianUpMilliseconds("quickstart.yaml", runs)),
            new("up_ms_scale100", MedianUpMilliseconds("scale-100.yaml", runs)),
            new("iperf_gbps_fabric", fabric),
            new("iperf_gbps_ovs", ovs),
            new("ovs_ratio", fabric / ovs),
        ];
    }

    private static double MedianUpMilliseconds(string file, int runs)
    {
        var topology = TopologyFile.Load(RepositoryRoot.Combine("topologies", file));
        var times = new List<double>();
        for (var run = 0; run < runs; run++)
        {
            var fabric = EmbeddedFabric.StartAsync(topology, Options()).GetAwaiter().GetResult();
            times.Add(fabric.UpTime.TotalMilliseconds);
            fabric.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        return Median(times);
    }

    /// <summary>Rounds of one iperf3 stream through the fabric, then through OVS, both set up once; the median of each.</summary>
    private static (double Fabric, double Ovs) IperfMedians(int rounds, int seconds)
    {
        using var openVswitch = OpenVswitch.Start(Console.Error.WriteLine);
        using var bridge = new OvsTapBridge(Prefix());
        var fabric = EmbeddedFabric.StartAsync(TwoHostsAcrossTheCore(), Options()).GetAwaiter().GetResult();
        try
        {
            var server = fabric.Hosts["server"].Namespace;
            var client = fabric.Hosts["client"].Namespace;
            var fabricGbps = new List<double>();
            var ovsGbps = new List<double>();
            for (var round = 0; round < rounds; round++)
            {
                fabricGbps.Add(Iperf3.Gbps(server, fabric.Hosts["server"].Port.Ipv4, client, seconds));
                ovsGbps.Add(Iperf3.Gbps(bridge.Server, OvsTapBridge.ServerIp, bridge.Client, seconds));
                Console.Error.WriteLine($"e2e: iperf3 round {round + 1}: fabric {fabricGbps[^1]:F2} Gbit/s, ovs {ovsGbps[^1]:F2} Gbit/s");
            }

            return (Median(fabricGbps), Median(ovsGbps));
        }
        finally
        {
            fabric.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    /// <summary>One tenant network with a host on each of two edges that reach each other through one core node.</summary>
    private static TopologyDefinition TwoHostsAcrossTheCore()
    {
        var subnet = IPNetwork.Parse("10.78.0.0/24");
        var network = new NetworkDefinition("bench/lan", "bench", subnet, IPAddress.Parse("10.78.0.1"));
        return new TopologyDefinition(
            "iperf",
            new ControllerDefinition(new IPEndPoint(IPAddress.Loopback, 0)),
            [new NodeDefinition("c1")],
            [new NodeDefinition("e1"), new NodeDefinition("e2")],
            [new LinkDefinition("e1--c1", "e1", "c1", LinkKind.Memory, 1, null), new LinkDefinition("c1--e2", "c1", "e2", LinkKind.Memory, 1, null)],
            [new TenantDefinition("bench", [network])],
            [],
            [
                new HostDefinition("client", "e1", network.Name, IPAddress.Parse("10.78.0.11"), null, []),
                new HostDefinition("server", "e2", network.Name, IPAddress.Parse("10.78.0.12"), null, []),
            ],
            []);
    }

    private static EmbeddedFabricOptions Options() => new() { Listen = new IPEndPoint(IPAddress.Loopback, 0), NamePrefix = Prefix() };

    /// <summary>A name prefix for namespaces, TAPs and bridges that no other run uses.</summary>
    private static string Prefix() => $"b{Guid.NewGuid().ToString("N")[..3]}-";

    private static double Median(List<double> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }
}
