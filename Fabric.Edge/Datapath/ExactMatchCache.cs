using System.Runtime.CompilerServices;
using Sdn.Fabric.Core.Packets;

namespace Sdn.Fabric.Edge.Datapath;

/// <summary>
/// The first cache tier: a direct-mapped table from a packet's whole flow key to its compiled flow.
/// One hash, one slot, one 128-byte compare; a newer flow simply overwrites the slot it maps to.
/// </summary>
public sealed class ExactMatchCache
{
    private readonly Slot[] _slots;
    private readonly int _mask;

    /// <param name="capacity">Rounded up to a power of two.</param>
    public ExactMatchCache(int capacity)
    {
        var size = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(capacity, 1));
        _slots = new Slot[size];
        _mask = size - 1;
    }

    /// <summary>The current flow cached for exactly <paramref name="key"/>, or null.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public CompiledFlow? Lookup(in FlowKey key, ulong hash)
    {
        ref var slot = ref _slots[(int)hash & _mask];
        var flow = slot.Flow;
        return flow is not null && slot.Hash == hash && slot.Key.Equals(key) && flow.IsCurrent ? flow : null;
    }

    public void Insert(in FlowKey key, ulong hash, CompiledFlow flow)
    {
        ref var slot = ref _slots[(int)hash & _mask];
        slot.Hash = hash;
        slot.Key = key;
        slot.Flow = flow;
    }

    public void Clear() => Array.Clear(_slots);

    private struct Slot
    {
        public ulong Hash;
        public FlowKey Key;
        public CompiledFlow? Flow;
    }
}
