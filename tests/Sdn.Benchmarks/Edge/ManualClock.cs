using System.Diagnostics;

namespace Sdn.Benchmarks.Edge;

/// <summary>A clock that stands still until told to move: connections expire when the benchmark says, not while it runs.</summary>
internal sealed class ManualClock : TimeProvider
{
    private long _now = Stopwatch.GetTimestamp();

    public override long TimestampFrequency => Stopwatch.Frequency;

    public override long GetTimestamp() => _now;

    public void Advance(TimeSpan by) => _now += (long)(by.TotalSeconds * Stopwatch.Frequency);
}
