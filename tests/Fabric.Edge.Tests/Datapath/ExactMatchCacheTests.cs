using Sdn.Common.Packets;
using Sdn.Fabric.Edge.Datapath;
using Sdn.Fabric.Edge.Tests.Support;

namespace Sdn.Fabric.Edge.Tests.Datapath;

public class ExactMatchCacheTests
{
    // Bits 40 and up pick the set, the low half is the tag: every hash here lands in set 3.
    private const ulong SetThree = 3UL << 40;

    private readonly ExactMatchCache _cache = new(64);

    [Fact]
    public void Keys_that_share_a_set_all_stay_cached_up_to_its_ways()
    {
        var entries = InsertColliding(0, ExactMatchCache.Ways);
        foreach (var (key, hash, flow) in entries)
        {
            Assert.Same(flow, _cache.Lookup(key, hash));
        }
    }

    [Fact]
    public void One_key_more_than_the_set_holds_evicts_exactly_one_of_the_others()
    {
        var entries = InsertColliding(0, ExactMatchCache.Ways + 1);
        Assert.Same(entries[^1].Flow, _cache.Lookup(entries[^1].Key, entries[^1].Hash));
        Assert.Equal(ExactMatchCache.Ways - 1, entries[..^1].Count(e => ReferenceEquals(e.Flow, _cache.Lookup(e.Key, e.Hash))));
    }

    [Fact]
    public void Equal_tags_fall_back_to_the_key_and_a_reinsert_replaces_in_place()
    {
        var (first, second) = (KeyOf(1), KeyOf(2));
        var (firstFlow, secondFlow, replacement) = (NewFlow(), NewFlow(), NewFlow());
        _cache.Insert(first, SetThree | 0x10, firstFlow);
        _cache.Insert(second, SetThree | 0x10, secondFlow);
        _cache.Insert(first, SetThree | 0x10, replacement);

        Assert.Same(replacement, _cache.Lookup(first, SetThree | 0x10));
        Assert.Same(secondFlow, _cache.Lookup(second, SetThree | 0x10));
        Assert.Null(_cache.Lookup(KeyOf(3), SetThree | 0x10));
    }

    [Fact]
    public void A_stale_flow_is_never_returned_and_its_way_is_taken_first()
    {
        var stale = NewFlow();
        _cache.Insert(KeyOf(0), SetThree | 0x100, stale);
        var current = InsertColliding(1, ExactMatchCache.Ways - 1);
        stale.Retire();
        Assert.Null(_cache.Lookup(KeyOf(0), SetThree | 0x100));

        var newcomer = NewFlow();
        _cache.Insert(KeyOf(9), SetThree | 0x90, newcomer);
        Assert.Same(newcomer, _cache.Lookup(KeyOf(9), SetThree | 0x90));
        Assert.All(current, e => Assert.Same(e.Flow, _cache.Lookup(e.Key, e.Hash)));
    }

    /// <summary>Inserts keys <paramref name="first"/> onwards, each under its own tag in set 3.</summary>
    private (FlowKey Key, ulong Hash, CompiledFlow Flow)[] InsertColliding(int first, int count)
    {
        var entries = Enumerable.Range(first, count).Select(i => (Key: KeyOf(i), Hash: SetThree | (uint)(i << 4), Flow: NewFlow())).ToArray();
        foreach (var (key, hash, flow) in entries)
        {
            _cache.Insert(key, hash, flow);
        }

        return entries;
    }

    private static FlowKey KeyOf(int index) => Keys.Udp(1, 1, (uint)index, srcPort: (ushort)(1000 + index));

    private static CompiledFlow NewFlow() => new([], []);
}
