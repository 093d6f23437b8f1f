using System.Runtime.CompilerServices;
using Sdn.Common.Packets;

namespace Sdn.Fabric.Edge.Datapath;

/// <summary>
/// The datapath's flow cache: the exact-match tier, then the megaflow tier, each counted. A miss is left to
/// the caller, which asks the slow path and inserts what it compiled. A hit allocates nothing.
/// </summary>
public sealed class FlowCache
{
    private readonly ExactMatchCache _exact;
    private readonly MegaflowCache _megaflows;

    public FlowCache(int exactCapacity = 16384, int maxMasks = 64, int flowsPerMask = 16384)
    {
        _exact = new ExactMatchCache(exactCapacity);
        _megaflows = new MegaflowCache(maxMasks, flowsPerMask);
    }

    /// <summary>When false every packet goes to the slow path (for measuring it, and for comparison).</summary>
    public bool Enabled { get; set; } = true;

    public long ExactHits { get; private set; }

    public long MegaflowHits { get; private set; }

    public long Misses { get; private set; }

    public int MegaflowMaskCount => _megaflows.MaskCount;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public CompiledFlow? Lookup(in FlowKey key, ulong hash)
    {
        if (Enabled)
        {
            if (_exact.Lookup(key, hash) is { } exact)
            {
                ExactHits++;
                return exact;
            }

            if (LookupMegaflow(key, hash) is { } megaflow)
            {
                MegaflowHits++;
                return megaflow;
            }
        }

        Misses++;
        return null;
    }

    /// <summary>Starts loading the exact-match slot of <paramref name="hash"/> into the CPU cache.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Prefetch(ulong hash) => _exact.Prefetch(hash);

    /// <summary>Starts loading the exact-match entry of <paramref name="hash"/>; after <see cref="Prefetch"/>, for the whole burst.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int PrefetchEntry(ulong hash) => _exact.PrefetchEntry(hash);

    /// <summary>Starts loading the flow of the exact-match entry <see cref="PrefetchEntry"/> named (none for -1); for the whole burst, after it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void PrefetchFlow(int entry) => _exact.PrefetchFlow(entry);

    /// <summary>The tier that would answer <paramref name="key"/>, without counting or changing anything.</summary>
    public CacheTier Peek(in FlowKey key)
    {
        if (!Enabled)
        {
            return CacheTier.Miss;
        }

        if (_exact.Lookup(key, key.Hash64()) is not null)
        {
            return CacheTier.ExactMatch;
        }

        return _megaflows.Lookup(key) is not null ? CacheTier.Megaflow : CacheTier.Miss;
    }

    public void Insert(in FlowKey key, ulong hash, in FlowKey megaflowMask, CompiledFlow flow)
    {
        if (!Enabled)
        {
            return;
        }

        _megaflows.Insert(key, megaflowMask, flow);
        _exact.Insert(key, hash, flow);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private CompiledFlow? LookupMegaflow(in FlowKey key, ulong hash)
    {
        var flow = _megaflows.Lookup(key);
        if (flow is not null)
        {
            _exact.Insert(key, hash, flow);
        }

        return flow;
    }
}
