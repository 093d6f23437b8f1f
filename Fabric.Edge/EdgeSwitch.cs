using Sdn.Fabric.Core.Packets;
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
        Time = time ?? TimeProvider.System;
        Pipeline = new EdgePipeline(tableCount, Time);
        Datapath = new EdgeDatapath(this);
    }

    public TimeProvider Time { get; }

    public EdgePipeline Pipeline { get; }

    public EdgeDatapath Datapath { get; }

    /// <summary>Traces <paramref name="key"/> through the pipeline and reports whether the cache would answer it.</summary>
    public PipelineTrace Trace(in FlowKey key)
    {
        var trace = Pipeline.Trace(key);
        trace.CacheWouldHit = Datapath.Cache.Peek(key);
        return trace;
    }

    CompiledFlow IUpcallHandler.Upcall(in FlowKey key, out FlowKey megaflowMask) => Pipeline.Translate(key, out megaflowMask);
}
