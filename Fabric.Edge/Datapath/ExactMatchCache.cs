using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;
using Sdn.Fabric.Core.Packets;

namespace Sdn.Fabric.Edge.Datapath;

/// <summary>
/// The first cache tier: a two-way set-associative table from a packet's whole flow key to its compiled flow.
/// One hash picks a set of two slots; a lookup is at most two 128-byte compares.
/// </summary>
/// <remarks>
/// Two ways rather than one keep a pair of flows that share a set from evicting each other on every packet.
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

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public unsafe void Prefetch(ulong hash)
    {
        if (Sse.IsSupported)
        {
            // SAFETY: a prefetch is only a hint: it never faults, and if the GC moves the array after the address
            // is taken the CPU merely warms a line nobody reads.
            Sse.Prefetch0(Unsafe.AsPointer(ref _slots[SetOf(hash)]));
        }
    }

    public void Insert(in FlowKey key, ulong hash, CompiledFlow flow)
    {
        var first = SetOf(hash);
        ref var slot = ref _slots[first + PreferredWay(ref _slots[first], key, hash)];
        slot.Hash = hash;
        slot.Key = key;
        slot.Flow = flow;
    }

    /// <summary>
    /// The way a key goes to: the one already holding it, else an empty one, else the one a hash bit names.
    /// A fixed victim per key, rather than the least recently used, keeps some flows of an overfull set
    /// hitting when traffic cycles through more flows than the set has ways.
    /// </summary>
    private static int PreferredWay(ref Slot way0, in FlowKey key, ulong hash)
    {
        ref var way1 = ref Unsafe.Add(ref way0, 1);
        if (way0.Flow is null || (way0.Hash == hash && way0.Key.Equals(key)))
        {
            return 0;
        }

        if (way1.Flow is null || (way1.Hash == hash && way1.Key.Equals(key)))
        {
            return 1;
        }

        return (int)(hash >> 63);
    }

    /// <summary>The first slot of the key's set, from the hash's high bits, which mix every key word.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int SetOf(ulong hash) => ((int)(hash >> 40) & _setMask) * Ways;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static CompiledFlow? Match(ref Slot slot, in FlowKey key, ulong hash)
    {
        var flow = slot.Flow;
        return flow is not null && slot.Hash == hash && slot.Key.Equals(key) && flow.IsCurrent ? flow : null;
    }

    // Hash and flow first, so a miss on the hash reads one cache line.
    private struct Slot
    {
        public ulong Hash;
        public CompiledFlow? Flow;
        public FlowKey Key;
    }
}
