using Sdn.Fabric.Edge.Nat;
using Sdn.Fabric.Edge.Tests.Support;

namespace Sdn.Fabric.Edge.Tests.Nat;

/// <summary>The NAT port pool: distinct ports from its range, exhaustion counted, and a returned port not reused at once.</summary>
public class NatPortPoolTests
{
    [Fact]
    public void Every_port_of_the_range_is_handed_out_once_then_the_pool_is_exhausted_and_counts_it()
    {
        var pool = new NatPortPool(1000, 1099);
        var ports = new HashSet<ushort>();

        for (var i = 0; i < 100; i++)
        {
            Assert.True(pool.TryTake(out var port));
            Assert.InRange(port, (ushort)1000, (ushort)1099);
            Assert.True(ports.Add(port), $"port {port} handed out twice");
        }

        Assert.False(pool.TryTake(out _));
        Assert.False(pool.TryTake(out _));
        Assert.Equal((100, 2L), (pool.InUse, pool.Exhausted));
    }

    [Fact]
    public void A_returned_port_comes_back_only_after_the_rest_of_the_range()
    {
        var pool = new NatPortPool(5000, 5003);
        pool.TryTake(out var first);
        pool.TryTake(out _);
        pool.Return(first);

        var next = new List<ushort>();
        while (pool.TryTake(out var port))
        {
            next.Add(port);
        }

        Assert.Equal([(ushort)5002, (ushort)5003, first], next);
    }

    [Fact]
    public void Returning_a_port_frees_it_for_an_exhausted_pool_and_a_stray_return_changes_nothing()
    {
        var pool = new NatPortPool(7, 7);
        Assert.True(pool.TryTake(out var only));
        Assert.False(pool.TryTake(out _));

        pool.Return(8);
        pool.Return(only);
        pool.Return(only);

        Assert.Equal(0, pool.InUse);
        Assert.True(pool.TryTake(out var again));
        Assert.Equal(only, again);
        Assert.True(pool.IsTaken(only));
    }

    [Fact]
    public void The_default_range_spans_words_and_wraps_around_its_end()
    {
        var pool = new NatPortPool();
        var taken = new List<ushort>();
        for (var i = 0; i < pool.Size; i++)
        {
            Assert.True(pool.TryTake(out var port));
            taken.Add(port);
        }

        pool.Return(taken[100]);
        pool.Return(taken[^1]);

        Assert.True(pool.TryTake(out var afterWrap));
        Assert.Equal(taken[100], afterWrap);
        Assert.True(pool.TryTake(out var last));
        Assert.Equal(NatPortPool.DefaultLast, last);
        Assert.Equal(pool.Size, pool.InUse);
    }

    [Fact]
    public void Taking_and_returning_allocates_nothing()
    {
        var pool = new NatPortPool();

        Allocations.AssertNone(() =>
        {
            for (var i = 0; i < 10_000; i++)
            {
                pool.TryTake(out var port);
                pool.Return(port);
            }
        });
    }

    [Fact]
    public void A_window_hands_out_only_its_own_ports_across_word_edges_and_is_exhausted_on_its_own()
    {
        var pool = new NatPortPool(0, ushort.MaxValue);
        var ports = new List<ushort>();

        while (pool.TryTake(60, 130, out var port))
        {
            ports.Add(port);
        }

        Assert.Equal(Enumerable.Range(60, 71).Select(p => (ushort)p), ports);
        Assert.Equal(1L, pool.Exhausted);
        Assert.True(pool.TryTake(131, 131, out var outside));
        Assert.Equal((ushort)131, outside);
    }

    [Fact]
    public void A_window_wraps_to_its_own_start_past_the_cursor()
    {
        var pool = new NatPortPool(0, ushort.MaxValue);
        pool.TryTake(10, 12, out var first);
        pool.TryTake(10, 12, out _);
        pool.TryTake(10, 12, out _);
        pool.Return(first);

        Assert.True(pool.TryTake(10, 12, out var again));
        Assert.Equal(first, again);
    }

    [Fact]
    public void An_exact_port_is_taken_once_and_a_miss_is_not_counted_as_exhaustion()
    {
        var pool = new NatPortPool(1000, 2000);

        Assert.True(pool.TryTakeExact(1500));
        Assert.False(pool.TryTakeExact(1500));
        Assert.False(pool.TryTakeExact(999));

        Assert.Equal((1, 0L), (pool.InUse, pool.Exhausted));
    }
}
