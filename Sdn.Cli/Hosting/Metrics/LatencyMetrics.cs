using Prometheus;

namespace Sdn.Cli.Hosting.Metrics;

/// <summary>How long the controller takes to compile the model, and each node's agent to apply a program batch.</summary>
internal sealed class LatencyMetrics
{
    /// <summary>100 µs to about 3.3 s, doubling.</summary>
    private static readonly double[] Buckets = Histogram.ExponentialBuckets(0.0001, 2, 16);

    private readonly Histogram _compile;
    private readonly Histogram _apply;

    public LatencyMetrics(CollectorRegistry registry)
    {
        var factory = Prometheus.Metrics.WithCustomRegistry(registry);
        _compile = factory.CreateHistogram(
            "sdn_compile_duration_seconds", "Time the controller took to compute paths and compile every node's program.", [], new HistogramConfiguration { Buckets = Buckets });
        _apply = factory.CreateHistogram(
            "sdn_agent_apply_duration_seconds", "Time a node's agent took to apply one program batch.", ["node"], new HistogramConfiguration { Buckets = Buckets });
    }

    public void Compiled(TimeSpan took) => _compile.Observe(took.TotalSeconds);

    public void Applied(string node, TimeSpan took) => _apply.WithLabels(node).Observe(took.TotalSeconds);
}
