namespace Sdn.Benchmarks.Scale;

/// <summary>
/// What a run of changes cost the process: the median CPU time of one, and, over all of them, the mean, the bytes
/// allocated (every thread: the programmer compiles on its own), the collections of each generation and the time
/// the collector paused the process. The counters are read before the first change measured and after the last.
/// </summary>
internal sealed record ChangeCosts(double MedianCpuMs, double MeanCpuMs, double AllocatedBytesPerChange, double Gen0Per1000, double Gen1Per1000, double Gen2Per1000, double GcPauseMsPerChange)
{
    /// <summary>The counters as they are now.</summary>
    public static Counters Read() => new(GC.GetTotalAllocatedBytes(precise: true), GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetTotalPauseDuration());

    /// <summary>The costs of <paramref name="cpuMs"/>.Count changes made between <paramref name="before"/> and <paramref name="after"/>.</summary>
    public static ChangeCosts Of(IReadOnlyList<double> cpuMs, Counters before, Counters after)
    {
        ArgumentNullException.ThrowIfNull(cpuMs);
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var changes = (double)cpuMs.Count;
        var sorted = cpuMs.Order().ToList();
        return new(
            sorted[sorted.Count / 2],
            cpuMs.Average(),
            (after.AllocatedBytes - before.AllocatedBytes) / changes,
            (after.Gen0 - before.Gen0) * 1000 / changes,
            (after.Gen1 - before.Gen1) * 1000 / changes,
            (after.Gen2 - before.Gen2) * 1000 / changes,
            (after.Paused - before.Paused).TotalMilliseconds / changes);
    }

    /// <summary>The process's allocation and collection counters at one moment.</summary>
    internal sealed record Counters(long AllocatedBytes, int Gen0, int Gen1, int Gen2, TimeSpan Paused);
}
