using Sdn.Common.Packets;
using Sdn.Fabric.Edge.Datapath;
using Sdn.Fabric.Edge.Pipeline;

namespace Sdn.Fabric.Edge;

/// <summary>
/// The edge virtual switch: an OpenFlow-like <see cref="EdgePipeline"/> (the slow path) behind an
/// <see cref="EdgeDatapath"/> (the cached fast path), with ports that move bursts of frames.
/// </summary>
/// <remarks>Not thread-safe: one thread polls the ports and applies flow-mods between bursts.</remarks>
public sealed class EdgeSwitch : IUpcallHandler
{
    public EdgeSwitch(int tableCount = 8, TimeProvider? time = null)
    {
        time ??= TimeProvider.System;
        Time = time;
        Pipeline = new EdgePipeline(tableCount, time);
        Datapath = new EdgeDatapath(this, time);
    }

    /// <summary>The clock of flow timeouts and counters' last-hit times.</summary>
    public TimeProvider Time { get; }

    public EdgePipeline Pipeline { get; }

    public EdgeDatapath Datapath { get; }

    public void AddPort(IEdgePort port) => Datapath.AddPort(port);

    /// <summary>Moves one burst from every port through the switch; returns how many frames were received.</summary>
    public int Poll() => Datapath.Poll();

    /// <summary>
    /// Traces <paramref name="frame"/> as if it arrived on <paramref name="inPort"/>: tables, entries, actions,
    /// outputs and whether the cache would answer it. Nothing is counted, cached or sent.
    /// </summary>
    public PipelineTrace Trace(uint inPort, ReadOnlySpan<byte> frame)
    {
        var parsed = FlowKeyExtractor.Extract(frame, inPort, out var key, out _);
        return parsed.IsOk ? Trace(key) : PipelineTrace.Malformed(parsed);
    }

    /// <summary>Traces a packet given as its flow key.</summary>
    public PipelineTrace Trace(in FlowKey key)
    {
        var trace = Pipeline.Trace(key);
        trace.CacheWouldHit = Datapath.Cache.Peek(key);
        return trace;
    }

    CompiledFlow IUpcallHandler.Upcall(in FlowKey key, out FlowKey megaflowMask) => Pipeline.Translate(key, out megaflowMask);
}
