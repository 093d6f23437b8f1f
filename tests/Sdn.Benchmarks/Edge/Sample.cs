using System.Diagnostics;
using System.Runtime;
using Sdn.Common.Packets;

namespace Sdn.Benchmarks.Edge;

/// <summary>
/// Packets moved in a timed window, what the thread allocated meanwhile, and how many garbage collections of each
/// generation (a gen-2 count includes the background ones) began or ran in it, and how many methods the JIT compiled.
/// </summary>
internal readonly record struct Sample(long Packets, double Seconds, long AllocatedBytes, GcCounts Collections = default, long JitCompilations = 0)
{
    public double Mpps => Packets / Seconds / 1e6;

    /// <summary>Runs bursts of <see cref="PacketBurst.Capacity"/> packets until <paramref name="window"/> has passed.</summary>
    /// <param name="burst">Runs one burst; takes and returns the index of the next frame of the traffic mix.</param>
    public static Sample Measure(TimeSpan window, Func<int, int> burst)
    {
        ArgumentNullException.ThrowIfNull(burst);
        var packets = 0L;
        var next = 0;
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var collectionsBefore = GcCounts.Now();
        var compiledBefore = JitInfo.GetCompiledMethodCount();
        var started = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(started) < window)
        {
            for (var i = 0; i < 64; i++)
            {
                next = burst(next);
            }

            packets += 64L * PacketBurst.Capacity;
        }

        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        return new Sample(
            packets, seconds, GC.GetAllocatedBytesForCurrentThread() - allocatedBefore, GcCounts.Now() - collectionsBefore, JitInfo.GetCompiledMethodCount() - compiledBefore);
    }
}
