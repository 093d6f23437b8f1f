using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Sdn.Common.Packets;

namespace Sdn.Fabric.Edge.Datapath;

/// <summary>
/// The first cache tier: an eight-way set-associative table from a packet's whole flow key to its compiled flow.
/// One hash picks a set; the set's eight 16-bit tags (hash bits the set index does not use) sit together in one
/// 16-byte group and are compared at once, and only a way whose tag matches pays the 128-byte key compare.
/// </summary>
/// <remarks>
/// Eight ways rather than two: with 4,096 flows in a 16,384-flow cache, about one lookup in fifteen found its
/// two-way set full and fell through to the megaflow tier; with four ways one in a hundred still did, with eight
/// one in ten thousand. Tags live apart from the entries, so a lookup reads one 64-byte line of tags (four sets)
/// and then only the entry whose tag matched; the prefetch warms the tags. A false tag match (one in 65,536 per
/// way) costs a key compare, never a wrong answer.
/// </remarks>
public sealed class ExactMatchCache
{
    /// <summary>Ways per set; the tag compare below reads them as one <see cref="Vector128{T}"/> of eight tags.</summary>
    public const int Ways = 8;

    // A tag is never 0, so an empty way (tag 0, no flow) never costs an entry read.
    private readonly ushort[] _tags;
    private readonly Entry[] _entries;
    private readonly int _setMask;

    /// <param name="capacity">Flows held; rounded up to a power of two, at least <see cref="Ways"/>.</param>
    public ExactMatchCache(int capacity)
    {
        var size = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(capacity, Ways));
        _tags = GC.AllocateArray<ushort>(size, pinned: true);
        _entries = new Entry[size];
        _setMask = (size / Ways) - 1;
    }

    /// <summary>The current flow cached for exactly <paramref name="key"/>, or null.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public CompiledFlow? Lookup(in FlowKey key, ulong hash)
    {
        var first = SetOf(hash);
        var way = WayHolding(first, key, TagOf(hash));

        // A key is held by at most one way of its set, so a stale flow there means no current one anywhere.
        return way >= 0 && _entries[first + way].Flow is { IsCurrent: true } flow ? flow : null;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public unsafe void Prefetch(ulong hash)
    {
        if (Sse.IsSupported)
        {
            // SAFETY: a prefetch is only a hint and never faults; the tag array is pinned, so the address stays
            // the array's own.
            Sse.Prefetch0(Unsafe.AsPointer(ref _tags[SetOf(hash)]));
        }
    }

    /// <summary>
    /// Starts loading the entry whose tag matches <paramref name="hash"/>, once <see cref="Prefetch"/> has brought the
    /// tags in: the entries of a large cache do not fit the CPU's caches, and a burst's misses then overlap. Says which
    /// entry, for <see cref="PrefetchFlow"/>, or -1 when no tag matched.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public unsafe int PrefetchEntry(ulong hash)
    {
        var first = SetOf(hash);
        var matches = TagMatches(first, TagOf(hash));
        if (matches == 0 || !Sse.IsSupported)
        {
            return -1;
        }

        // SAFETY: a prefetch is only a hint and never faults, so if the collector moves the entries between taking
        // the address and prefetching it, only the hint is lost. An entry spans three cache lines.
        var index = first + System.Numerics.BitOperations.TrailingZeroCount(matches);
        var entry = (byte*)Unsafe.AsPointer(ref _entries[index]);
        Sse.Prefetch0(entry);
        Sse.Prefetch0(entry + 64);
        Sse.Prefetch0(entry + 128);
        return index;
    }

    /// <summary>
    /// Starts loading the flow that entry <paramref name="index"/> (from <see cref="PrefetchEntry"/>, once the entry is
    /// in) holds: where every flow is a connection's own, as behind a stateful rule, the flows lie scattered over the
    /// heap, and the lookup, which checks that its flow is current, would otherwise wait for each in turn.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public unsafe void PrefetchFlow(int index)
    {
        if (index < 0 || !Sse.IsSupported)
        {
            return;
        }

        // SAFETY: a prefetch is only a hint and never faults. The flow's address is read without touching the flow
        // (which is what would wait); if the collector moves it meanwhile, only the hint is lost. A flow is a small
        // object: its header and fields lie within 64 bytes of its start, on one cache line or two.
        var flow = _entries[index].Flow;
        var address = (byte*)Unsafe.As<CompiledFlow?, nint>(ref flow);
        if (address != null)
        {
            Sse.Prefetch0(address);
            Sse.Prefetch0(address + 56);
        }
    }

    public void Insert(in FlowKey key, ulong hash, CompiledFlow flow)
    {
        var first = SetOf(hash);
        var tag = TagOf(hash);
        var way = first + PreferredWay(first, key, hash, tag);
        _tags[way] = tag;
        _entries[way].Key = key;
        _entries[way].Flow = flow;
    }

    /// <summary>
    /// The way a key goes to: the one already holding it, else an empty or stale one, else the one three hash
    /// bits name. A fixed victim per key, rather than the least recently used, keeps some flows of an overfull
    /// set hitting when traffic cycles through more flows than the set has ways.
    /// </summary>
    private int PreferredWay(int first, in FlowKey key, ulong hash, ushort tag)
    {
        var holding = WayHolding(first, key, tag);
        if (holding >= 0)
        {
            return holding;
        }

        for (var way = 0; way < Ways; way++)
        {
            // Stamps only move forward, so a flow that is not current never will be again: its way is free.
            if (_entries[first + way].Flow is not { IsCurrent: true })
            {
                return way;
            }
        }

        return (int)(hash >> 61);
    }

    /// <summary>The way of the set at <paramref name="first"/> that holds <paramref name="key"/>, current or not; -1 when none does.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int WayHolding(int first, in FlowKey key, ushort tag)
    {
        var matches = TagMatches(first, tag);
        while (matches != 0)
        {
            var way = System.Numerics.BitOperations.TrailingZeroCount(matches);
            ref var entry = ref _entries[first + way];
            if (entry.Flow is not null && entry.Key.EqualTo(key))
            {
                return way;
            }

            matches &= matches - 1;
        }

        return -1;
    }

    /// <summary>The first way of the key's set, from the hash's high bits, which mix every key word.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int SetOf(ulong hash) => ((int)(hash >> 40) & _setMask) * Ways;

    /// <summary>The hash's low 16 bits, which the set index does not use; never 0, the mark of an empty way.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ushort TagOf(ulong hash) => (ushort)((ushort)hash | 1);

    /// <summary>One bit per way of the set at <paramref name="first"/> whose tag is <paramref name="tag"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private uint TagMatches(int first, ushort tag) =>
        Vector128.Equals(Vector128.LoadUnsafe(ref _tags[first]), Vector128.Create(tag)).ExtractMostSignificantBits();

    private struct Entry
    {
        public CompiledFlow? Flow;
        public FlowKey Key;
    }
}
