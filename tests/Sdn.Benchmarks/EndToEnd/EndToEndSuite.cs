using System.Net;
using Sdn.Contracts;
using Sdn.Cli.Hosting;
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
        var fabric = EmbeddedFabric.StartAsync(TwoHostsAcrossTheCore.Create(LinkKind.Memory), Options()).GetAwaiter().GetResult();
        try
        {
            var server = fabric.Hosts[TwoHostsAcrossTheCore.Server].Namespace;
            var client = fabric.Hosts[TwoHostsAcrossTheCore.Client].Namespace;
            var fabricGbps = new List<double>();
            var ovsGbps = new List<double>();
            for (var round = 0; round < rounds; round++)
            {
                fabricGbps.Add(Iperf3.Gbps(server, TwoHostsAcrossTheCore.ServerIp, client, seconds));
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

    private static EmbeddedFabricOptions Options() => new() { Listen = new IPEndPoint(IPAddress.Loopback, 0), NamePrefix = Prefix() };

    /// <summary>A name prefix for namespaces, TAPs and bridges that no other run uses.</summary>
    private static string Prefix() => $"b{Guid.NewGuid().ToString("N")[..3]}-";

    private static double Median(List<double> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }
}
