using System.Runtime.CompilerServices;
using Sdn.Fabric.Core.Packets;

namespace Sdn.Fabric.Edge.Datapath;

/// <summary>
/// The fast path. A datapath has no intelligence of its own: it finds the compiled flow of each packet in
/// its cache, asks the <see cref="IUpcallHandler"/> on a miss, and runs the flow's primitive actions.
/// </summary>
public sealed class EdgeDatapath(IUpcallHandler slowPath)
{
    /// <summary>Port numbers run from 1 to one less than this.</summary>
    public const int MaxPorts = 1024;

    public FlowCache Cache { get; } = new();

    /// <summary>The compiled flow for <paramref name="key"/>: from the cache, or from the slow path (and then cached).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public CompiledFlow Classify(in FlowKey key)
    {
        var hash = key.Hash64();
        return Cache.Lookup(key, hash) ?? Upcall(key, hash);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private CompiledFlow Upcall(in FlowKey key, ulong hash)
    {
        var flow = slowPath.Upcall(key, out var mask);
        Cache.Insert(key, hash, mask, flow);
        return flow;
    }
}
