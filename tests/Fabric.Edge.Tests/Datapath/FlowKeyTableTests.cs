using Sdn.Fabric.Core.Packets;
using Sdn.Fabric.Edge.Datapath;

namespace Sdn.Fabric.Edge.Tests.Datapath;

public class FlowKeyTableTests
{
    [Fact]
    public void Lookups_stay_right_through_growth_colliding_hashes_and_removals()
    {
        var table = new FlowKeyTable<string>(8);
        var keys = Enumerable.Range(0, 2000).Select(Key).ToList();

        // Only eight distinct hashes, so probe runs are long and removals must shift entries back.
        static ulong HashOf(int i) => (ulong)(i % 8);
        for (var i = 0; i < keys.Count; i++)
        {
            Assert.True(table.TrySet(keys[i], HashOf(i), $"v{i}"));
        }

        for (var i = 0; i < keys.Count; i += 3)
        {
            Assert.True(table.Remove(keys[i], HashOf(i)));
        }

        for (var i = 0; i < keys.Count; i++)
        {
            var found = table.TryGet(keys[i], HashOf(i), out var value);
            Assert.Equal(i % 3 != 0, found);
            Assert.Equal(found ? $"v{i}" : null, value);
        }

        Assert.Equal(keys.Count - ((keys.Count + 2) / 3), table.Count);
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

    private static FlowKey Key(int i)
    {
        var key = default(FlowKey);
        key.Ipv4Dst = (uint)i;
        return key;
    }
}
