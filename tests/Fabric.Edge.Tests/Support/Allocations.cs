namespace Sdn.Fabric.Edge.Tests.Support;

/// <summary>Checks that a hot path allocates nothing, tolerating the runtime's own one-off allocations.</summary>
public static class Allocations
{
    /// <summary>
    /// Runs <paramref name="hotPath"/> three times and asserts that at least one run allocated nothing on this
    /// thread. The runtime may allocate once while it tiers a loop up; code that allocated per call would show
    /// in every run.
    /// </summary>
    public static void AssertNone(Action hotPath)
    {
        ArgumentNullException.ThrowIfNull(hotPath);
        var allocations = new long[3];
        for (var run = 0; run < allocations.Length; run++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            hotPath();
            allocations[run] = GC.GetAllocatedBytesForCurrentThread() - before;
        }

        Assert.True(allocations.Contains(0), $"every run allocated: {string.Join(", ", allocations)} bytes");
    }
}
