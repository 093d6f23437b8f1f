using Sdn.Contracts.Southbound;

namespace Sdn.Contracts.Tests.Southbound;

public class RetryBackoffTests
{
    [Fact]
    public void Waits_double_from_the_first_delay_up_to_the_cap_and_start_over_after_a_reset()
    {
        var backoff = new RetryBackoff(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1));

        var waits = Enumerable.Range(0, 5).Select(_ => backoff.Next().TotalMilliseconds).ToList();
        backoff.Reset();

        Assert.Equal([200, 400, 800, 1000, 1000], waits);
        Assert.Equal(TimeSpan.FromMilliseconds(200), backoff.Next());
    }

    [Fact]
    public void A_first_delay_above_the_cap_is_the_wait_every_time()
    {
        var backoff = new RetryBackoff(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(5));

        Assert.Equal([10, 10], new[] { backoff.Next(), backoff.Next() }.Select(w => w.TotalSeconds));
    }
}
