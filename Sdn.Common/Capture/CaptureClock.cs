using System.Diagnostics;

namespace Sdn.Common.Capture;

/// <summary>Wall-clock nanoseconds since the Unix epoch, read from the monotonic counter after one anchor.</summary>
public static class CaptureClock
{
    private static readonly long AnchorUnixNanoseconds = (DateTime.UtcNow - DateTime.UnixEpoch).Ticks * 100;
    private static readonly long AnchorTimestamp = Stopwatch.GetTimestamp();
    private static readonly double NanosecondsPerTick = 1e9 / Stopwatch.Frequency;

    public static long UnixNanoseconds() =>
        AnchorUnixNanoseconds + (long)((Stopwatch.GetTimestamp() - AnchorTimestamp) * NanosecondsPerTick);
}
