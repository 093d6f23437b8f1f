using System.Net;
using Sdn.Fabric.Controller.Hosting;
using Sdn.Fabric.Controller.Tests.Topology;
using Sdn.Fabric.Controller.Topology;

namespace Sdn.Benchmarks.EndToEnd;

/// <summary>
/// How long `sdn up` takes: the embedded fabric from nothing to every node holding what the controller compiled
/// and every VM's application up, for topologies/quickstart.yaml and topologies/scale-100.yaml (median of runs).
/// </summary>
internal sealed class EndToEndSuite : IBenchmarkSuite
{
    public string Name => "e2e";

    public string Description => "sdn up: time to a programmed fabric with every VM up, quickstart and scale-100";

    public IReadOnlyList<KeyValuePair<string, double>> Run(BenchmarkOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var runs = options.Quick ? 1 : 3;
        return
        [
            new("up_ms_quickstart", MedianUpMilliseconds("quickstart.yaml", runs)),
            new("up_ms_scale100", MedianUpMilliseconds("scale-100.yaml", runs)),
        ];
    }

    private static double MedianUpMilliseconds(string file, int runs)
    {
        var topology = TopologyFile.Load(RepositoryRoot.Combine("topologies", file));
        var times = new List<double>();
        for (var run = 0; run < runs; run++)
        {
            var options = new EmbeddedFabricOptions { Listen = new IPEndPoint(IPAddress.Loopback, 0), NamePrefix = $"b{Guid.NewGuid().ToString("N")[..3]}-" };
            var fabric = EmbeddedFabric.StartAsync(topology, options).GetAwaiter().GetResult();
            times.Add(fabric.UpTime.TotalMilliseconds);
            fabric.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        times.Sort();
        return times[times.Count / 2];
    }
}
