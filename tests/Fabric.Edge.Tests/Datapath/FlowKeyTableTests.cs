using Sdn.Common.Packets;
using Sdn.Fabric.Edge.Datapath;
using Sdn.Fabric.Edge.Pipeline;

namespace Sdn.Fabric.Edge.Tests.Datapath;

public class FlowKeyTableTests
{
    /// <summary>Where the table under test finds its keys: its own copies (the megaflow cache's), or the entries (the classifier's).</summary>
    public enum KeyStore
    {
        Copies,
        EntryMatches,
    }

    /// <summary>Either kind of table behind one face, so that each test runs against both.</summary>
    private interface ITable
    {
        int Count { get; }

        int ValueCount { get; }

        bool TrySet(FlowKey key, ulong hash, TableEntry value);

        bool TryGet(FlowKey key, ulong hash, out TableEntry? value);

        bool Remove(FlowKey key, ulong hash);
    }

    [Theory]
    [InlineData(KeyStore.Copies)]
    [InlineData(KeyStore.EntryMatches)]
    public void Lookups_stay_right_through_growth_colliding_hashes_and_removals(KeyStore store)
    {
        var table = TableOf(store, 8);
        var entries = Entries(2000);

        // Only eight distinct hashes, so probe runs are long, keys must be compared, and removals must shift entries back.
        static ulong HashOf(int i) => (ulong)(i % 8);
        for (var i = 0; i < entries.Count; i++)
        {
            Assert.True(table.TrySet(KeyOf(entries[i]), HashOf(i), entries[i]));
        }

        for (var i = 0; i < entries.Count; i += 3)
        {
            Assert.True(table.Remove(KeyOf(entries[i]), HashOf(i)));
        }

        for (var i = 0; i < entries.Count; i++)
        {
            var found = table.TryGet(KeyOf(entries[i]), HashOf(i), out var value);
            Assert.Equal(i % 3 != 0, found);
            Assert.Same(found ? entries[i] : null, value);
        }

        Assert.Equal(entries.Count - ((entries.Count + 2) / 3), table.Count);
    }

    [Theory]
    [InlineData(KeyStore.Copies)]
    [InlineData(KeyStore.EntryMatches)]
    public void Every_key_is_found_after_many_doublings_and_absent_keys_are_not(KeyStore store)
    {
        var table = TableOf(store, 8);
        var entries = Entries(50_000);
        foreach (var entry in entries)
        {
            Assert.True(table.TrySet(KeyOf(entry), KeyOf(entry).Hash64(), entry));
        }

        Assert.Equal(entries.Count, table.Count);
        Assert.Equal(entries.Count, table.ValueCount);
        foreach (var entry in entries)
        {
            Assert.True(table.TryGet(KeyOf(entry), KeyOf(entry).Hash64(), out var value));
            Assert.Same(entry, value);
        }

        var absent = KeyOf(Entry(entries.Count));
        Assert.False(table.TryGet(absent, absent.Hash64(), out _));
    }

    /// <summary>
    /// Entries whose hashes differ but share their low bits, emptied one at a time from the middle of their probe run:
    /// each removal moves later entries back, and each moved entry must still be found under its own key.
    /// </summary>
    [Theory]
    [InlineData(KeyStore.Copies)]
    [InlineData(KeyStore.EntryMatches)]
    public void Removal_inside_a_probe_run_leaves_every_moved_entry_under_its_own_key(KeyStore store)
    {
        // 64 slots and 30 entries, so the table does not grow. Half the entries start at slot 62 and wrap past the last
        // slot into the run of the other half, which start at slot 5: a removal shifts entries of either home, or not.
        var table = TableOf(store, 64);
        static ulong HashOf(int i) => ((ulong)(i + 1) << 32) | (i % 2 == 0 ? 5UL : 62UL);
        var entries = Entries(30);
        for (var i = 0; i < entries.Count; i++)
        {
            Assert.True(table.TrySet(KeyOf(entries[i]), HashOf(i), entries[i]));
        }

        var present = Enumerable.Range(0, entries.Count).ToHashSet();
        foreach (var removed in Enumerable.Range(0, entries.Count).OrderBy(i => (i * 7) % entries.Count))
        {
            Assert.True(table.Remove(KeyOf(entries[removed]), HashOf(removed)));
            Assert.False(table.Remove(KeyOf(entries[removed]), HashOf(removed)));
            present.Remove(removed);
            Assert.Equal(present.Count, table.Count);
            for (var i = 0; i < entries.Count; i++)
            {
                var found = table.TryGet(KeyOf(entries[i]), HashOf(i), out var value);
                Assert.Equal(present.Contains(i), found);
                Assert.Same(found ? entries[i] : null, value);
            }
        }
    }

    [Theory]
    [InlineData(KeyStore.Copies)]
    [InlineData(KeyStore.EntryMatches)]
    public void Setting_a_present_key_replaces_its_value_and_not_a_neighbour_of_the_same_hash(KeyStore store)
    {
        var table = TableOf(store, 8);
        var (first, replacement, neighbour) = (Entry(1, priority: 10), Entry(1, priority: 20), Entry(2));
        Assert.True(table.TrySet(KeyOf(first), 7, first));
        Assert.True(table.TrySet(KeyOf(neighbour), 7, neighbour));
        Assert.True(table.TrySet(KeyOf(first), 7, replacement));

        Assert.Equal(2, table.Count);
        Assert.True(table.TryGet(KeyOf(first), 7, out var value));
        Assert.Same(replacement, value);
        Assert.True(table.Remove(KeyOf(first), 7));
        Assert.False(table.TryGet(KeyOf(first), 7, out _));
        Assert.True(table.TryGet(KeyOf(neighbour), 7, out value));
        Assert.Same(neighbour, value);
    }

    [Fact]
    public void A_bounded_table_refuses_new_keys_but_still_replaces()
    {
        var table = new FlowKeyTable<string>(8, maxCount: 2);
        Assert.True(table.TrySet(Key(1), 1, "a"));
        Assert.True(table.TrySet(Key(2), 2, "b"));
        Assert.False(table.TrySet(Key(3), 3, "c"));
        Assert.True(table.TrySet(Key(1), 1, "a2"));
        Assert.True(table.TryGet(Key(1), 1, out var value));
        Assert.Equal("a2", value);
    }

    private static ITable TableOf(KeyStore store, int capacity) => store == KeyStore.Copies
        ? new Table<FlowKeyCopies>(new FlowKeyTable<TableEntry>(capacity))
        : new Table<TableEntryKeys>(new(capacity));

    private static List<TableEntry> Entries(int count) => Enumerable.Range(0, count).Select(i => Entry(i)).ToList();

    private static TableEntry Entry(int i, int priority = 10) =>
        new(0, FlowEdit.Add(0, priority, FlowMatch.Any.Ipv4Dst((uint)i), FlowInstructions.DropPacket), 0);

    /// <summary>The key an entry is filed under.</summary>
    private static FlowKey KeyOf(TableEntry entry) => entry.Match.Value;

    private static FlowKey Key(int i)
    {
        var key = default(FlowKey);
        key.Ipv4Dst = (uint)i;
        return key;
    }

    private sealed class Table<TKeys>(FlowKeyTable<TableEntry, TKeys> table) : ITable
        where TKeys : struct, IFlowKeyStore
    {
        public int Count => table.Count;

        public int ValueCount => table.Values.Count();

        public bool TrySet(FlowKey key, ulong hash, TableEntry value) => table.TrySet(key, hash, value);

        public bool TryGet(FlowKey key, ulong hash, out TableEntry? value) => table.TryGet(key, hash, out value);

        public bool Remove(FlowKey key, ulong hash) => table.Remove(key, hash);
    }
}
