using System.Diagnostics;
using System.Runtime;
using Sdn.Contracts;
using Sdn.Contracts.Southbound;
using Sdn.Fabric.Controller.Compiler;
using Sdn.Fabric.Controller.Model;
using Sdn.Fabric.Edge;
using Sdn.Fabric.Edge.Agent;
using Sdn.Fabric.Edge.Datapath;
using Sdn.Fabric.Edge.Pipeline;

namespace Sdn.Benchmarks.Controller;

/// <summary>
/// Flow-mods per second from the controller's hub to a real edge agent over gRPC on loopback, in batches: each
/// batch is the diff that adds the next slice of forwarding entries, applied atomically by the agent into a
/// real EdgeSwitch and acked. The same-run baseline is the same entries applied straight to a bare pipeline,
/// in-process: the ceiling the wire, the diff and the agent's checks are measured against.
/// </summary>
internal static class FlowModThroughput
{
    /// <summary>What <c>ovs-ofctl add-flows</c> reached on this machine.</summary>
    public const double OvsOfctlFlowsPerSecond = 16_000;

    public static async Task<IReadOnlyList<KeyValuePair<string, double>>> RunAsync(bool quick)
    {
        var (flows, batch) = quick ? (20_000, 5_000) : (200_000, 10_000);
        var entries = Enumerable.Range(0, flows).Select(Entry).ToList();

        var model = new FabricModel(store: null);
        model.Create(ResourceKinds.Edges, new EdgeNode { Name = "warmup-batches" });
        model.Create(ResourceKinds.Edges, new EdgeNode { Name = "warmup" });
        model.Create(ResourceKinds.Edges, new EdgeNode { Name = "e1" });
        await using var bench = await SouthboundBench.StartAsync(model);

        // Warm-up pushes to other agents get the JIT done tiering up and the connection pools warm. Code that runs once
        // a batch is called only twenty times by a push, so after a push of the measured size alone the measured one
        // still compiled 700 methods and ran per-batch code in tier-0 and instrumented code: a push of many small
        // batches tiers that up, then one of the measured size warms what grows with the program.
        await PushAsync(bench, "warmup-batches", entries[..(flows / 10)], batch / 100);
        await PushAsync(bench, "warmup", entries, batch);
        var overGrpc = await PushAsync(bench, "e1", entries, batch);
        var (direct, directCpu) = Direct(flows, batch);
        return
        [
            new("flowmods_per_s", overGrpc.PerSecond),
            new("flowmods_batch_size", batch),
            new("flowmods_direct_per_s", direct),
            new("flowmods_vs_direct_ratio", overGrpc.PerSecond / direct),
            new("flowmods_vs_ovs_ofctl_ratio", overGrpc.PerSecond / OvsOfctlFlowsPerSecond),
            new("flowmods_cpu_us_per_flow", overGrpc.CpuMicrosPerFlow),
            new("flowmods_direct_cpu_us_per_flow", directCpu),
            new("flowmods_allocated_bytes_per_flow", overGrpc.AllocatedBytesPerFlow),
            new("flowmods_gc_pause_fraction", overGrpc.GcPauseFraction),
            new("flowmods_jit_methods_compiled", overGrpc.MethodsCompiled),
        ];
    }

    /// <summary>
    /// Flow-mods pushed to a new agent of <paramref name="node"/> until it has applied them all: per second, and what
    /// each cost the whole process (controller, wire and agent threads and the collector) in CPU time and allocations.
    /// </summary>
    private static async Task<PushCost> PushAsync(SouthboundBench bench, string node, List<FlowEntry> entries, int batch)
    {
        await using var agent = new EdgeAgent(node, new EdgeSwitch(), new InternalPorts(), bench.Address, SouthboundBench.Settings);
        agent.Start();
        await SouthboundBench.UntilAsync(() => agent.IsConnected && agent.AppliedVersion > 0);

        // The controller keeps each node's program and grows it by the slice it adds, as a compiler's output would.
        var start = Stopwatch.GetTimestamp();
        var applied = agent.AppliedVersion + (ulong)((entries.Count + batch - 1) / batch);
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var allocated = GC.GetTotalAllocatedBytes();
        var paused = GC.GetTotalPauseDuration();
        var compiled = JitInfo.GetCompiledMethodCount();
        var program = new NodeProgram([], [new PortConfig { Number = 1, Name = "vnic" }], [], [], []);
        foreach (var slice in entries.Chunk(batch))
        {
            var adds = new ProgramBatch();
            adds.FlowMods.AddRange(slice.Select(e => new FlowMod { Op = ModOp.Add, Entry = e }));
            program = program.Apply(adds);
            bench.Hub.Publish(node, program);
        }

        await SouthboundBench.UntilAsync(() => agent.AppliedVersion == applied);
        var elapsed = Stopwatch.GetElapsedTime(start);
        return new PushCost(
            entries.Count / elapsed.TotalSeconds,
            (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMicroseconds / entries.Count,
            (GC.GetTotalAllocatedBytes() - allocated) / (double)entries.Count,
            (GC.GetTotalPauseDuration() - paused) / elapsed,
            JitInfo.GetCompiledMethodCount() - compiled);
    }

    /// <summary>The same entries as pipeline flow-mods, applied in-process with nothing in between: per second, and CPU microseconds each.</summary>
    private static (double PerSecond, double CpuMicrosPerFlow) Direct(int flows, int batch)
    {
        var pipeline = new EdgeSwitch().Pipeline;
        var mods = Enumerable.Range(0, flows).Select(i => FlowEdit.Add(
            (byte)EdgeTables.Forward,
            100,
            FlowMatch.Any.Metadata(1, EdgeTables.NetworkMask).EthDst(Mac(i)),
            FlowInstructions.Apply(PipelineAction.Output(1)))).ToList();
        var start = Stopwatch.GetTimestamp();
        var cpu = CpuClock.ThreadSeconds();
        foreach (var chunk in mods.Chunk(batch))
        {
            foreach (var mod in chunk)
            {
                pipeline.Apply(mod);
            }
        }

        return (mods.Count / Stopwatch.GetElapsedTime(start).TotalSeconds, (CpuClock.ThreadSeconds() - cpu) * 1e6 / mods.Count);
    }

    /// <summary>A forwarding entry such as the compiler emits: network and destination MAC to a vNIC.</summary>
    private static FlowEntry Entry(int i) => ProgramMessages.Flow(
        EdgeTables.Forward,
        100,
        [ProgramMessages.Masked(Field.Metadata, 1, EdgeTables.NetworkMask), ProgramMessages.Exact(Field.EthDst, Mac(i))],
        ProgramMessages.Apply(ProgramMessages.Output(1)));

    private static ulong Mac(int i) => 0x0200_0000_0000UL + (ulong)i;

    private readonly record struct PushCost(double PerSecond, double CpuMicrosPerFlow, double AllocatedBytesPerFlow, double GcPauseFraction, long MethodsCompiled);
}
