using System.Diagnostics;
using System.Net;
using Grpc.Core;
using Sdn.Cli.Hosting;
using Sdn.Contracts;
using Sdn.Contracts.Rpc;

namespace Sdn.Benchmarks.Density;

/// <summary>
/// Many micro-VMs in one process: a generated topology of 1,000 echo VMs over 20 edges and two core nodes
/// (<see cref="DensityTopology"/>; 100 over 4 with --quick) brought up embedded, as <c>sdn up</c> runs it. It times
/// the bring-up until every guest is up (and the process's CPU over it), and the boot stage alone; then reads the
/// whole process from /proc: threads and resident memory against the same before the fabric, and CPU over an idle
/// window (10 s; 2 s with --quick). Last, the controller's Ping sends 200 requests 10 ms apart
/// between two VMs on different edges while the others idle, after 5 that warm the path up: the first packet a new
/// fabric carries runs every method of the data path for the first time, JIT compiling included, so its RTT is
/// reported apart. Every key that depends on the count carries it in its name (<c>up_s_1000</c>, or <c>up_s_100</c>
/// with --quick).
/// </summary>
internal sealed class DensitySuite : IBenchmarkSuite
{
    private const int Pings = 200;
    private const int WarmUpPings = 5;
    private const int PingIntervalMs = 10;

    public string Name => "density";

    public string Description => "1,000 echo VMs over 20 edges: up time, boot rate, idle CPU, threads, RSS and ping RTT";

    public IReadOnlyList<KeyValuePair<string, double>> Run(BenchmarkOptions options) => RunAsync(options).GetAwaiter().GetResult();

    private static async Task<IReadOnlyList<KeyValuePair<string, double>>> RunAsync(BenchmarkOptions options)
    {
        var (vms, edges) = options.Quick ? (100, 4) : (1000, 20);
        var idle = TimeSpan.FromSeconds(options.Quick ? 2 : 10);
        var topology = DensityTopology.Create(vms, edges);
        var threadsBefore = ProcessFigures.Threads();
        var residentBefore = ProcessFigures.ResidentMib();

        var cpuAtStart = ProcessFigures.CpuTime();
        var clock = Stopwatch.StartNew();
        TimeSpan? programmed = null;

        // EmbeddedFabric says "nodes: every node programmed" just before it opens the boot gate and waits for the VMs.
        void Progress(string line)
        {
            programmed ??= line.StartsWith("nodes:", StringComparison.Ordinal) ? clock.Elapsed : null;
            var cpu = ProcessFigures.CpuTime() - cpuAtStart;
            Console.Error.WriteLine(FormattableString.Invariant($"density: {clock.Elapsed.TotalSeconds,6:F2} s (CPU {cpu.TotalSeconds,6:F2} s) {line}"));
        }

        await using var fabric = await StartAsync(topology, Progress, vms, edges);
        var up = clock.Elapsed;
        var upCpu = ProcessFigures.CpuTime() - cpuAtStart;
        var booting = up - (programmed ?? throw new InvalidOperationException("density: the bring-up never said every node was programmed"));
        Console.Error.WriteLine(FormattableString.Invariant($"density: {vms} VMs over {edges} edges up in {up.TotalSeconds:F2} s, of which booting {booting.TotalSeconds:F2} s"));

        var threads = ProcessFigures.Threads();
        var kvmThreads = ProcessFigures.KvmThreads();
        var residentPerVm = (ProcessFigures.ResidentMib() - residentBefore) / vms;

        var upJit = JitWork.SoFar();
        var (idleCpu, idleJit) = await IdleAsync(idle);
        var (laterIdleCpu, laterIdleJit) = await IdleAsync(idle);

        var (warmUp, _) = await PingAsync(fabric, DensityTopology.VmName(0), DensityTopology.VmName(1), WarmUpPings);
        var (rtts, lost) = await PingAsync(fabric, DensityTopology.VmName(0), DensityTopology.VmName(1), Pings);
        return
        [
            new("vms", vms),
            new("edges", edges),
            new($"up_s_{vms}", up.TotalSeconds),
            new($"up_cpu_s_{vms}", upCpu.TotalSeconds),
            new("boot_vms_per_s", vms / booting.TotalSeconds),
            new($"idle_cpu_fraction_{vms}", idleCpu),
            new($"idle_cpu_fraction_next_{vms}", laterIdleCpu),
            new($"up_jit_methods_{vms}", upJit.Methods),
            new($"idle_jit_ms_{vms}", idleJit.Time.TotalMilliseconds),
            new($"idle_jit_methods_{vms}", idleJit.Methods),
            new($"idle_jit_ms_next_{vms}", laterIdleJit.Time.TotalMilliseconds),
            new($"idle_jit_methods_next_{vms}", laterIdleJit.Methods),
            new($"threads_{vms}", threads),
            new($"threads_without_kvm_{vms}", threads - kvmThreads),
            new("threads_before", threadsBefore),
            new("rss_mib_per_vm", residentPerVm),
            new($"ping_rtt_ms_first_{vms}", warmUp[0]),
            new($"ping_rtt_ms_p50_{vms}", Percentile(rtts, 0.50)),
            new($"ping_rtt_ms_p99_{vms}", Percentile(rtts, 0.99)),
            new($"ping_lost_{vms}", lost),
        ];
    }

    /// <summary>
    /// The process's CPU over <paramref name="window"/> of doing nothing, as a fraction of one core, and what the JIT
    /// compiled in it (every thread's: the tiered compiler's background worker does most of it).
    /// </summary>
    private static async Task<(double CpuFraction, JitWork Jit)> IdleAsync(TimeSpan window)
    {
        var cpuBefore = ProcessFigures.CpuTime();
        var jitBefore = JitWork.SoFar();
        var clock = Stopwatch.StartNew();
        await Task.Delay(window);
        return ((ProcessFigures.CpuTime() - cpuBefore) / clock.Elapsed, JitWork.SoFar() - jitBefore);
    }

    /// <exception cref="InvalidOperationException">The fabric did not come up; what had started is torn down.</exception>
    private static async Task<EmbeddedFabric> StartAsync(Fabric.Controller.Topology.TopologyDefinition topology, Action<string> progress, int vms, int edges)
    {
        var options = new EmbeddedFabricOptions
        {
            Listen = new IPEndPoint(IPAddress.Loopback, 0),
            Progress = progress,
            StageTimeout = TimeSpan.FromMinutes(2),
        };
        try
        {
            return await EmbeddedFabric.StartAsync(topology, options);
        }
        catch (HostingException failure)
        {
            var message = failure.Message.Length > 500 ? failure.Message[..500] + "..." : failure.Message;
            throw new InvalidOperationException($"density: the fabric of {vms} VMs over {edges} edges did not come up, and was torn down: {message}", failure);
        }
    }

    /// <summary>The round-trip times the agent measured, in ms, and how many requests got no reply.</summary>
    private static async Task<(List<double> Rtts, int Lost)> PingAsync(EmbeddedFabric fabric, string source, string destination, int count)
    {
        using var channel = RpcChannels.ForAddress(fabric.Address);
        var api = new Contracts.Controller.ControllerClient(channel);
        var rtts = new List<double>();
        var lost = 0;
        using var ping = api.Ping(new PingRequest { Source = source, Destination = destination, Count = (uint)count, IntervalMs = PingIntervalMs });
        await foreach (var echo in ping.ResponseStream.ReadAllAsync())
        {
            if (echo.Replied)
            {
                rtts.Add(echo.RttNs / 1e6);
            }
            else
            {
                lost++;
            }
        }

        if (rtts.Count == 0)
        {
            throw new InvalidOperationException($"density: {destination} answered none of {count} pings from {source}");
        }

        return (rtts, lost);
    }

    private static double Percentile(List<double> values, double fraction)
    {
        var sorted = values.Order().ToList();
        return sorted[(int)Math.Ceiling(fraction * sorted.Count) - 1];
    }
}
