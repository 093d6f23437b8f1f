using System.Diagnostics;

namespace Sdn.Cli.Hosting;

/// <summary>
/// When an edge next looks at what became of its VMs and hosts: every 50 ms while something changes (a look found
/// news, or a batch landed), and twice as seldom after each look that found nothing, up to once a second. An edge of
/// fifty idle VMs then wakes once a second instead of twenty times, and a VM that faults later is told within a second.
/// </summary>
internal sealed class StatusSchedule
{
    public static readonly TimeSpan Busy = TimeSpan.FromMilliseconds(50);

    public static readonly TimeSpan Quiet = TimeSpan.FromSeconds(1);

    private static readonly long BusyTicks = (long)(Busy.TotalSeconds * Stopwatch.Frequency);
    private static readonly long QuietTicks = (long)(Quiet.TotalSeconds * Stopwatch.Frequency);

    private long _interval = BusyTicks;

    /// <summary>The stopwatch timestamp of the next look; 0, so at once, before the first.</summary>
    public long NextDue { get; private set; }

    /// <summary>The wait between the last look and the next.</summary>
    public TimeSpan Interval => TimeSpan.FromSeconds((double)_interval / Stopwatch.Frequency);

    /// <summary>Sets the next look after one made at <paramref name="now"/> (a stopwatch timestamp) that found news or not.</summary>
    public void Looked(long now, bool changed)
    {
        _interval = changed ? BusyTicks : Math.Min(_interval * 2, QuietTicks);
        NextDue = now + _interval;
    }
}
