using System.Globalization;
using Prometheus;
using Sdn.Contracts;

namespace Sdn.Cli.Hosting.Metrics;

/// <summary>
/// The counters the nodes' agents keep, as Prometheus metrics read at scrape time: each scrape takes the nodes'
/// latest <see cref="NodeStats"/> from its source (the controller's <c>GetStats</c>, or a lone node's own agent) and
/// sets every series from them, so the datapath counts as it always does and nothing is counted twice.
/// </summary>
internal sealed class CounterMetrics
{
    private readonly Func<IReadOnlyList<NodeStats>> _source;
    private readonly Lock _gate = new();
    private readonly ReportedFamily _connected;
    private readonly ReportedFamily _appliedVersion;
    private readonly (ReportedFamily Family, Func<PortCounters, ulong> Value)[] _ports;
    private readonly ReportedFamily _drops;
    private readonly ReportedFamily _cacheHits;
    private readonly ReportedFamily _cacheMisses;
    private readonly ReportedFamily _flowEntries;
    private readonly ReportedFamily _lfibEntries;
    private readonly Dictionary<string, ReportedFamily> _lsr;

    public CounterMetrics(CollectorRegistry registry, Func<IReadOnlyList<NodeStats>> source)
    {
        ArgumentNullException.ThrowIfNull(registry);
        _source = source;
        var factory = Prometheus.Metrics.WithCustomRegistry(registry);
        _connected = ReportedFamily.Gauge(factory, "sdn_node_connected", "1 while the node's agent holds its stream to the controller, else 0.", "node");
        _appliedVersion = ReportedFamily.Gauge(factory, "sdn_node_applied_version", "The version of the last program batch the node applied.", "node");
        _ports =
        [
            (ReportedFamily.Counter(factory, "sdn_port_rx_packets_total", "Frames the switch received from the port.", "node", "port"), p => p.RxPackets),
            (ReportedFamily.Counter(factory, "sdn_port_rx_bytes_total", "Bytes of the frames the switch received from the port.", "node", "port"), p => p.RxBytes),
            (ReportedFamily.Counter(factory, "sdn_port_tx_packets_total", "Frames the switch sent to the port.", "node", "port"), p => p.TxPackets),
            (ReportedFamily.Counter(factory, "sdn_port_tx_bytes_total", "Bytes of the frames the switch sent to the port.", "node", "port"), p => p.TxBytes),
            (ReportedFamily.Counter(factory, "sdn_port_rx_dropped_total", "Frames from the port dropped as malformed.", "node", "port"), p => p.RxDropped),
            (ReportedFamily.Counter(factory, "sdn_port_tx_dropped_total", "Frames for the port it could not take.", "node", "port"), p => p.TxDropped),
            (ReportedFamily.Counter(factory, "sdn_port_rx_spoofed_total", "Frames from the port that port security dropped.", "node", "port"), p => p.RxSpoofed),
        ];
        _drops = ReportedFamily.Counter(factory, "sdn_drops_total", "Packets the node dropped, by reason.", "node", "reason");
        _cacheHits = ReportedFamily.Counter(factory, "sdn_flow_cache_hits_total", "Edge flow cache lookups answered, by tier (exact, megaflow).", "node", "tier");
        _cacheMisses = ReportedFamily.Counter(factory, "sdn_flow_cache_misses_total", "Edge flow cache lookups that went to the classifier.", "node");
        _flowEntries = ReportedFamily.Gauge(factory, "sdn_flow_entries", "Entries in an edge's flow table.", "node", "table");
        _lfibEntries = ReportedFamily.Gauge(factory, "sdn_lfib_entries", "Entries in a core node's LFIB.", "node");
        _lsr = new Dictionary<string, ReportedFamily>(StringComparer.Ordinal)
        {
            ["received"] = ReportedFamily.Counter(factory, "sdn_lsr_received_packets_total", "Labelled packets the core node received.", "node"),
            ["swapped"] = ReportedFamily.Counter(factory, "sdn_lsr_swapped_packets_total", "Packets forwarded with the top label swapped.", "node"),
            ["popped"] = ReportedFamily.Counter(factory, "sdn_lsr_popped_packets_total", "Packets forwarded with the top label popped (penultimate hop).", "node"),
            ["forwarded_on_backup"] = ReportedFamily.Counter(factory, "sdn_lsr_backup_packets_total", "Forwarded packets that took the backup next hop.", "node"),
        };
        registry.AddBeforeCollectCallback(Update);
    }

    /// <summary>Sets every series from the source's reports now, and removes those of nodes, ports and reasons no longer reported.</summary>
    public void Update()
    {
        var nodes = _source();
        lock (_gate)
        {
            foreach (var node in nodes)
            {
                Set(node);
            }

            foreach (var family in Families())
            {
                family.RemoveUnset();
            }
        }
    }

    private void Set(NodeStats node)
    {
        var name = node.Node;
        _connected.Set(node.Connected ? 1 : 0, name);
        _appliedVersion.Set(node.AppliedVersion, name);
        if (node.Counters is not { } counters)
        {
            return;
        }

        foreach (var port in counters.Ports)
        {
            foreach (var (family, value) in _ports)
            {
                family.Set(value(port), name, port.Port);
            }
        }

        foreach (var (reason, count) in counters.Drops)
        {
            _drops.Set(count, name, reason);
        }

        foreach (var (key, count) in counters.Datapath)
        {
            switch (key)
            {
                case "exact_hit":
                    _cacheHits.Set(count, name, "exact");
                    break;
                case "megaflow_hit":
                    _cacheHits.Set(count, name, "megaflow");
                    break;
                case "miss":
                    _cacheMisses.Set(count, name);
                    break;
                default:
                    if (_lsr.TryGetValue(key, out var lsr))
                    {
                        lsr.Set(count, name);
                    }

                    break;
            }
        }

        foreach (var (table, entries) in counters.TableEntries)
        {
            _flowEntries.Set(entries, name, table.ToString(CultureInfo.InvariantCulture));
        }

        if (counters.HasLfibEntries)
        {
            _lfibEntries.Set(counters.LfibEntries, name);
        }
    }

    private IEnumerable<ReportedFamily> Families() =>
        [_connected, _appliedVersion, .. _ports.Select(p => p.Family), _drops, _cacheHits, _cacheMisses, _flowEntries, _lfibEntries, .. _lsr.Values];
}
