using System.Diagnostics;
using System.Net;
using Google.Protobuf;
using Sdn.Cli.Hosting;
using Sdn.Contracts;
using Sdn.Contracts.Rpc;
using Sdn.Fabric.Controller.Model;
using Sdn.Fabric.Controller.Southbound;

namespace Sdn.Benchmarks.Scale;

/// <summary>
/// What one change costs the controller as the fabric grows, and how long filling a large one takes
/// (<see cref="ScaleTopology"/>: 100 ports an edge, tenants over five edges each).
/// <list type="bullet">
/// <item><c>cpu_ms_per_change_1k</c> / <c>_100k</c>: the process's CPU time (every thread, GC included) per single
/// port add on a filled fabric of 10 and 1,000 edges: the model with its file store, the programmer and the incremental
/// compiler, no agents. The median of 200 adds after 100 to warm up; the ratio of the two is the headline. Beside
/// them, where that CPU goes (<see cref="ChangeCosts"/>): the mean, the bytes allocated and the collections of each
/// generation and their pauses over the 200, and the heap the process holds after them.</item>
/// <item><c>fill_s_100k</c>: 1,000 edges and 100,000 ports created through the gRPC API of an in-process controller,
/// 16 calls in flight, until the programs reflect the last change. The model is kept in memory: the file store flushes
/// each change to disk, and this disk's flush takes milliseconds.</item>
/// </list>
/// --quick runs 10 and 50 edges, 50 adds, and fills 50 edges.
/// </summary>
internal sealed class ScaleSuite : IBenchmarkSuite
{
    private const int InFlight = 16;

    public string Name => "scale";

    public string Description => "controller CPU per port add at 1,000 and 100,000 ports, and the time to fill 100,000 ports through the API";

    public IReadOnlyList<KeyValuePair<string, double>> Run(BenchmarkOptions options) => RunAsync(options).GetAwaiter().GetResult();

    private static async Task<IReadOnlyList<KeyValuePair<string, double>>> RunAsync(BenchmarkOptions options)
    {
        var (large, warmup, samples) = options.Quick ? (50, 20, 50) : (1000, 100, 200);
        var small = 10;
        var (smallCosts, smallHeap) = await CostsPerChangeAsync(small, warmup, samples);
        var (largeCosts, largeHeap) = await CostsPerChangeAsync(large, warmup, samples);
        var (smallPorts, largePorts) = (Label(small), Label(large));
        List<KeyValuePair<string, double>> figures =
        [
            new($"cpu_ms_per_change_{smallPorts}", smallCosts.MedianCpuMs),
            new($"cpu_ms_per_change_{largePorts}", largeCosts.MedianCpuMs),
            new($"cpu_ratio_{largePorts}_vs_{smallPorts}", largeCosts.MedianCpuMs / smallCosts.MedianCpuMs),
            new($"cpu_mean_ratio_{largePorts}_vs_{smallPorts}", largeCosts.MeanCpuMs / smallCosts.MeanCpuMs),
        ];
        figures.AddRange(Breakdown(smallPorts, smallCosts, smallHeap));
        figures.AddRange(Breakdown(largePorts, largeCosts, largeHeap));
        figures.Add(new($"fill_s_{largePorts}", (await FillAsync(large)).TotalSeconds));
        return figures;
    }

    private static IEnumerable<KeyValuePair<string, double>> Breakdown(string ports, ChangeCosts costs, long heapBytes) =>
    [
        new($"cpu_ms_mean_per_change_{ports}", costs.MeanCpuMs),
        new($"alloc_bytes_per_change_{ports}", costs.AllocatedBytesPerChange),
        new($"gen0_per_1000_changes_{ports}", costs.Gen0Per1000),
        new($"gen1_per_1000_changes_{ports}", costs.Gen1Per1000),
        new($"gen2_per_1000_changes_{ports}", costs.Gen2Per1000),
        new($"gc_pause_ms_per_change_{ports}", costs.GcPauseMsPerChange),
        new($"heap_mb_{ports}", heapBytes / 1e6),
    ];

    private static string Label(int edges) => (edges * ScaleTopology.PortsPerEdge / 1000) + "k";

    /// <returns>The costs of the changes measured, and the bytes the process holds after them, collected in full.</returns>
    private static async Task<(ChangeCosts Costs, long HeapBytes)> CostsPerChangeAsync(int edges, int warmup, int samples)
    {
        var directory = Path.Combine(Path.GetTempPath(), "sdn-scale-" + Guid.NewGuid().ToString("N"));
        try
        {
            WriteFilledState(directory, edges);
            var model = new FabricModel(new StateStore(directory));
            var started = Stopwatch.StartNew();
            await using var programmer = new FabricProgrammer(model, new AgentHub(model));
            Console.Error.WriteLine(FormattableString.Invariant($"scale: {edges} edges, {model.List(ResourceKinds.Ports).Count} ports compiled in {started.Elapsed.TotalSeconds:F1} s"));

            using var compiled = new AutoResetEvent(false);
            programmer.Recompiled += (_, _) => compiled.Set();
            var figures = new List<double>();
            var counters = ChangeCosts.Read();
            for (var n = 0; n < warmup + samples; n++)
            {
                if (n == warmup)
                {
                    counters = ChangeCosts.Read();
                }

                var port = ScaleTopology.ExtraPort(edges, n);
                var cpu = CpuClock.ProcessSeconds();
                model.Create(ResourceKinds.Ports, port);
                while (programmer.ModelVersion < model.Version)
                {
                    compiled.WaitOne(TimeSpan.FromMilliseconds(100));
                }

                figures.Add((CpuClock.ProcessSeconds() - cpu) * 1000);
            }

            var costs = ChangeCosts.Of(figures[warmup..], counters, ChangeCosts.Read());
            return (costs, GC.GetTotalMemory(forceFullCollection: true));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
            GC.Collect();
        }
    }

    /// <summary>
    /// Fills a model in memory and saves it as the <c>state.json</c> of <paramref name="directory"/>, so the fill does not
    /// wait on a disk flush per change; the model is dropped on return, so the heap measured is the controller's alone.
    /// </summary>
    private static void WriteFilledState(string directory, int edges)
    {
        var filling = new FabricModel(store: null);
        foreach (var item in ScaleTopology.Topology(edges).Concat(ScaleTopology.Tenancy(edges)).Concat(ScaleTopology.Ports(edges)))
        {
            item.CreateIn(filling);
        }

        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, StateStore.FileName), JsonFormatter.Default.Format(filling.Snapshot()));
    }

    private static async Task<TimeSpan> FillAsync(int edges)
    {
        await using var controller = await ControllerServer.StartAsync(new IPEndPoint(IPAddress.Loopback, 0), new FabricModel(store: null));
        using var channel = RpcChannels.ForAddress(controller.Address);
        var api = new Contracts.Controller.ControllerClient(channel);
        var clock = Stopwatch.StartNew();
        var topology = ScaleTopology.Topology(edges).ToList();
        await CreateAllAsync(api, topology.Where(o => o.Message is not Link));
        await CreateAllAsync(api, topology.Where(o => o.Message is Link));
        var tenancy = ScaleTopology.Tenancy(edges).ToList();
        await CreateAllAsync(api, tenancy.Where(o => o.Message is Tenant));
        await CreateAllAsync(api, tenancy.Where(o => o.Message is Network));
        await CreateAllAsync(api, ScaleTopology.Ports(edges));
        var created = clock.Elapsed;
        while (controller.CompiledModelVersion < controller.Model.Version)
        {
            await Task.Delay(10);
        }

        Console.Error.WriteLine(FormattableString.Invariant($"scale: filled {edges} edges through the API in {created.TotalSeconds:F1} s, compiled in {clock.Elapsed.TotalSeconds:F1} s"));
        return clock.Elapsed;
    }

    private static async Task CreateAllAsync(Contracts.Controller.ControllerClient api, IEnumerable<ModelObject> items)
    {
        await Parallel.ForEachAsync(items, new ParallelOptions { MaxDegreeOfParallelism = InFlight }, async (item, cancel) =>
        {
            Task call = item.Message switch
            {
                CoreNode core => api.CreateCoreNodeAsync(core, cancellationToken: cancel).ResponseAsync,
                EdgeNode edge => api.CreateEdgeAsync(edge, cancellationToken: cancel).ResponseAsync,
                Link link => api.CreateLinkAsync(link, cancellationToken: cancel).ResponseAsync,
                Tenant tenant => api.CreateTenantAsync(tenant, cancellationToken: cancel).ResponseAsync,
                Network network => api.CreateNetworkAsync(network, cancellationToken: cancel).ResponseAsync,
                Port port => api.CreatePortAsync(port, cancellationToken: cancel).ResponseAsync,
                _ => throw new InvalidOperationException($"scale: no API call creates {item}"),
            };
            await call;
        });
    }
}
