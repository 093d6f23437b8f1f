using Prometheus;

namespace Sdn.Cli.Hosting.Metrics;

/// <summary>
/// One metric family whose series are set to values read elsewhere, once per scrape: a counter the nodes keep (it is
/// raised to the reported value; a lower value means the node restarted, and the series starts again from it) or a
/// gauge. A series not set since the last <see cref="RemoveUnset"/> (a port or node that is gone) is removed then.
/// </summary>
internal sealed class ReportedFamily
{
    private readonly Counter? _counter;
    private readonly Gauge? _gauge;
    private readonly HashSet<string> _set = new(StringComparer.Ordinal);

    private ReportedFamily(Counter? counter, Gauge? gauge)
    {
        _counter = counter;
        _gauge = gauge;
    }

    public static ReportedFamily Counter(MetricFactory factory, string name, string help, params string[] labels) =>
        new(factory.CreateCounter(name, help, labels, new CounterConfiguration { SuppressInitialValue = true }), null);

    public static ReportedFamily Gauge(MetricFactory factory, string name, string help, params string[] labels) =>
        new(null, factory.CreateGauge(name, help, labels, new GaugeConfiguration { SuppressInitialValue = true }));

    public void Set(double value, params string[] labels)
    {
        _set.Add(Key(labels));
        if (_counter is null)
        {
            _gauge!.WithLabels(labels).Set(value);
            return;
        }

        var series = _counter.WithLabels(labels);
        if (value < series.Value)
        {
            series.Remove();
            series = _counter.WithLabels(labels);
        }

        series.IncTo(value);
    }

    public void RemoveUnset()
    {
        var all = _counter?.GetAllLabelValues() ?? _gauge!.GetAllLabelValues();
        foreach (var labels in all.Where(l => !_set.Contains(Key(l))).ToList())
        {
            if (_counter is null)
            {
                _gauge!.RemoveLabelled(labels);
            }
            else
            {
                _counter.RemoveLabelled(labels);
            }
        }

        _set.Clear();
    }

    private static string Key(string[] labels) => string.Join('\0', labels);
}
