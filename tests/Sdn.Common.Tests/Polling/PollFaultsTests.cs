using Microsoft.Extensions.Time.Testing;
using Sdn.Common.Polling;

namespace Sdn.Common.Tests.Polling;

public class PollFaultsTests
{
    private readonly FakeTimeProvider _clock = new();
    private readonly List<string> _log = [];
    private readonly PollFaults _faults;

    public PollFaultsTests() => _faults = new PollFaults("edge e1", _log.Add, _clock);

    [Fact]
    public void A_fault_is_counted_and_logged_at_once_with_the_thread_and_the_exception()
    {
        _faults.Take(new IOException("the TAP device went away\nfor good"));

        Assert.Equal(1, _faults.Count);
        Assert.Equal("edge e1: a polling round failed: IOException: the TAP device went away for good; polling goes on", Assert.Single(_log));
    }

    [Fact]
    public void A_fault_that_repeats_every_round_is_logged_once_a_second_with_how_many_came_between()
    {
        for (var round = 0; round < 1000; round++)
        {
            _faults.Take(new InvalidOperationException("ring lost"));
            _clock.Advance(TimeSpan.FromMilliseconds(1.5));
        }

        Assert.Equal(1000, _faults.Count);
        Assert.Equal(2, _log.Count);
        Assert.Matches(@"^edge e1: a polling round failed: InvalidOperationException: ring lost \(666 more since the last line\); polling goes on$", _log[1]);
    }
}
