using System.Runtime.CompilerServices;
using Sdn.Fabric.Core.Packets;

namespace Sdn.Fabric.Edge.Datapath;

/// <summary>
/// The first cache tier: a two-way set-associative table from a packet's whole flow key to its compiled flow.
/// One hash picks a set of two slots; a lookup is at most two 128-byte compares.
/// </summary>
/// <remarks>
/// Two ways rather than one keep a handful of flows that share a set from evicting each other on every
/// packet. A new flow takes the set's first way and moves the old first way to the second, so the flow
/// used least recently in the set is the one that goes.
/// </remarks>
public sealed class ExactMatchCache
{
    private const int Ways = 2;

    private readonly Slot[] _slots;
    private readonly int _setMask;

    /// <param name="capacity">Flows held; rounded up to a power of two.</param>
    public ExactMatchCache(int capacity)
    {
        var size = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(capacity, Ways));
        _slots = new Slot[size];
        _setMask = (size / Ways) - 1;
    }

    /// <summary>The current flow cached for exactly <paramref name="key"/>, or null.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public CompiledFlow? Lookup(in FlowKey key, ulong hash)
    {
        var first = SetOf(hash);
        return Match(ref _slots[first], key, hash) ?? Match(ref _slots[first + 1], key, hash);
    }

    public void Insert(in FlowKey key, ulong hash, CompiledFlow flow)
    {
        var first = SetOf(hash);
        ref var way0 = ref _slots[first];
        if (way0.Flow is not null && !(way0.Hash == hash && way0.Key.Equals(key)))
        {
            _slots[first + 1] = way0;
        }

        way0.Hash = hash;
        way0.Key = key;
        way0.Flow = flow;
    }

    public void Clear() => Array.Clear(_slots);

    /// <summary>The first slot of the key's set, from the hash's high bits, which mix every key word.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int SetOf(ulong hash) => ((int)(hash >> 40) & _setMask) * Ways;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static CompiledFlow? Match(ref Slot slot, in FlowKey key, ulong hash)
    {
        var flow = slot.Flow;
        return flow is not null && slot.Hash == hash && slot.Key.Equals(key) && flow.IsCurrent ? flow : null;
    }

    private struct Slot
    {
        public ulong Hash;
        public FlowKey Key;
        public CompiledFlow? Flow;
    }
}
