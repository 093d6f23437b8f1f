using System.Diagnostics;
using Sdn.Cli.Hosting;

namespace Sdn.Cli.Tests.Hosting;

/// <summary>How often an edge looks at what became of its VMs and hosts: often while things change, seldom when idle.</summary>
public sealed class StatusScheduleTests
{
    [Fact]
    public void The_first_look_is_due_at_once()
    {
        Assert.Equal(0, new StatusSchedule().NextDue);
    }

    [Fact]
    public void Looks_that_find_nothing_double_the_wait_up_to_a_second_and_news_makes_it_short_again()
    {
        var schedule = new StatusSchedule();
        var waits = new List<TimeSpan>();

        for (var look = 0; look < 8; look++)
        {
            schedule.Looked(Stopwatch.GetTimestamp(), changed: look == 0);
            waits.Add(schedule.Interval);
        }

        var now = Stopwatch.GetTimestamp();
        schedule.Looked(now, changed: true);

        Assert.Equal([50, 100, 200, 400, 800, 1000, 1000, 1000], waits.Select(w => (int)Math.Round(w.TotalMilliseconds)));
        Assert.Equal(50, (int)Math.Round(schedule.Interval.TotalMilliseconds));
        Assert.Equal(now + (long)(StatusSchedule.Busy.TotalSeconds * Stopwatch.Frequency), schedule.NextDue);
    }
}
