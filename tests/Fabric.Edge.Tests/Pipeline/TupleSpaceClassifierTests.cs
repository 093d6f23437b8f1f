using Sdn.Common.Packets;
using Sdn.Fabric.Edge.Datapath;
using Sdn.Fabric.Edge.Pipeline;
using Sdn.Fabric.Edge.Tests.Support;

namespace Sdn.Fabric.Edge.Tests.Pipeline;

public class TupleSpaceClassifierTests
{
    private const int Hosts = 3000;

    private readonly TupleSpaceClassifier _classifier = new();

    /// <summary>
    /// Thousands of host entries share one mask, so their subtable grows many times and removals shift its probe runs;
    /// every fifth host also has a higher-priority entry of the same match, and a catch-all sits below them all.
    /// </summary>
    [Fact]
    public void Each_host_finds_its_highest_remaining_entry_through_growth_and_removals()
    {
        var catchAll = Insert(FlowMatch.Any, 1);
        var low = Enumerable.Range(0, Hosts).Select(i => Insert(HostMatch(i), 10)).ToArray();
        var high = Enumerable.Range(0, Hosts).Select(i => i % 5 == 0 ? Insert(HostMatch(i), 20) : null).ToArray();

        for (var i = 0; i < Hosts; i++)
        {
            if (i % 3 == 0)
            {
                Assert.True(_classifier.Remove(low[i]));
                low[i] = null!;
            }

            if (i % 10 == 0)
            {
                Assert.True(_classifier.Remove(high[i]!));
                high[i] = null;
            }
        }

        Assert.Equal(1 + low.Count(e => e is not null) + high.Count(e => e is not null), _classifier.Count);
        for (var i = 0; i < Hosts; i++)
        {
            var expected = high[i] ?? low[i] ?? catchAll;
            var unwildcard = default(FlowKey);
            Assert.Same(expected, _classifier.Lookup(Keys.Udp(1, 1, (uint)i), ref unwildcard, out _));
            Assert.Same(low[i], _classifier.FindStrict(HostMatch(i), 10));
            Assert.Same(high[i], _classifier.FindStrict(HostMatch(i), 20));
        }
    }

    [Fact]
    public void Removing_the_top_entry_of_a_match_leaves_the_next_one_findable()
    {
        var entries = new[] { 30, 10, 20 }.Select(priority => Insert(HostMatch(7), priority)).ToArray();
        var key = Keys.Udp(1, 1, 7);
        var unwildcard = default(FlowKey);

        Assert.Same(entries[0], _classifier.Lookup(key, ref unwildcard, out _));
        Assert.True(_classifier.Remove(entries[0]));
        Assert.Same(entries[2], _classifier.Lookup(key, ref unwildcard, out _));
        Assert.True(_classifier.Remove(entries[2]));
        Assert.Same(entries[1], _classifier.Lookup(key, ref unwildcard, out _));
        Assert.True(_classifier.Remove(entries[1]));
        Assert.Null(_classifier.Lookup(key, ref unwildcard, out _));
        Assert.Equal(0, _classifier.SubtableCount);
    }

    private static FlowMatch HostMatch(int i) => FlowMatch.Any.Ipv4Dst((uint)i);

    private TableEntry Insert(FlowMatch match, int priority)
    {
        var entry = new TableEntry(0, FlowEdit.Add(0, priority, match, FlowInstructions.DropPacket), 0);
        _classifier.Insert(entry);
        return entry;
    }
}
