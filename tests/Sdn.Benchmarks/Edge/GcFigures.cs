namespace Sdn.Benchmarks.Edge;

/// <summary>How many garbage collections of each generation began in a suite's timed windows, subject and peer together.</summary>
internal static class GcFigures
{
    public static IEnumerable<KeyValuePair<string, double>> InWindows(string prefix, params Measurement[] measurements)
    {
        var total = measurements.Aggregate(default(GcCounts), (sum, m) => sum + m.Collections);
        return
        [
            new($"gc0_in_{prefix}windows", total.Gen0),
            new($"gc1_in_{prefix}windows", total.Gen1),
            new($"gc2_in_{prefix}windows", total.Gen2),
        ];
    }
}
