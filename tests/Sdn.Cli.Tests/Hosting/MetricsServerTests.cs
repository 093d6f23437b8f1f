using System.Net;
using System.Net.Sockets;
using Sdn.Cli.Hosting;
using Sdn.Cli.Hosting.Metrics;
using Sdn.Contracts;

namespace Sdn.Cli.Tests.Hosting;

/// <summary>What a scrape of /metrics shows for known counter reports: the names, labels and values operators query.</summary>
public class MetricsServerTests
{
    private List<NodeStats> _nodes = [Edge(rxPackets: 5), Core()];

    [Fact]
    public async Task A_scrape_shows_every_reported_counter_under_its_name_and_labels()
    {
        await using var server = await MetricsServer.StartAsync(new IPEndPoint(IPAddress.Loopback, 0), () => _nodes);
        server.Latencies.Compiled(TimeSpan.FromMilliseconds(3));
        server.Latencies.Applied("e1", TimeSpan.FromMilliseconds(1));

        var text = await ScrapeAsync(server);

        string[] expected =
        [
            "sdn_node_connected{node=\"e1\"} 1",
            "sdn_node_connected{node=\"c1\"} 0",
            "sdn_node_applied_version{node=\"e1\"} 7",
            "sdn_port_rx_packets_total{node=\"e1\",port=\"vm1\"} 5",
            "sdn_port_rx_bytes_total{node=\"e1\",port=\"vm1\"} 500",
            "sdn_port_tx_packets_total{node=\"e1\",port=\"vm1\"} 4",
            "sdn_port_tx_bytes_total{node=\"e1\",port=\"vm1\"} 400",
            "sdn_port_rx_dropped_total{node=\"e1\",port=\"vm1\"} 1",
            "sdn_port_tx_dropped_total{node=\"e1\",port=\"vm1\"} 2",
            "sdn_port_rx_spoofed_total{node=\"e1\",port=\"vm1\"} 3",
            "sdn_drops_total{node=\"e1\",reason=\"port_security\"} 3",
            "sdn_drops_total{node=\"c1\",reason=\"ttl_expired\"} 2",
            "sdn_flow_cache_hits_total{node=\"e1\",tier=\"exact\"} 10",
            "sdn_flow_cache_hits_total{node=\"e1\",tier=\"megaflow\"} 6",
            "sdn_flow_cache_misses_total{node=\"e1\"} 2",
            "sdn_flow_entries{node=\"e1\",table=\"0\"} 12",
            "sdn_lfib_entries{node=\"c1\"} 4",
            "sdn_lsr_received_packets_total{node=\"c1\"} 9",
            "sdn_lsr_swapped_packets_total{node=\"c1\"} 6",
            "sdn_lsr_popped_packets_total{node=\"c1\"} 1",
            "sdn_lsr_backup_packets_total{node=\"c1\"} 0",
            "# TYPE sdn_port_rx_packets_total counter",
            "# TYPE sdn_flow_entries gauge",
            "# TYPE sdn_compile_duration_seconds histogram",
            "sdn_compile_duration_seconds_count 1",
            "sdn_agent_apply_duration_seconds_count{node=\"e1\"} 1",
        ];
        Assert.All(expected, line => Assert.Contains(line + "\n", text, StringComparison.Ordinal));
        Assert.DoesNotContain("sdn_lfib_entries{node=\"e1\"}", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_node_that_is_gone_loses_its_series_and_a_restarted_one_counts_from_its_new_value()
    {
        await using var server = await MetricsServer.StartAsync(new IPEndPoint(IPAddress.Loopback, 0), () => _nodes);
        await ScrapeAsync(server);

        _nodes = [Edge(rxPackets: 2)];
        var text = await ScrapeAsync(server);

        Assert.Contains("sdn_port_rx_packets_total{node=\"e1\",port=\"vm1\"} 2\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("node=\"c1\"", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_port_another_process_holds_is_refused_with_what_to_do()
    {
        using var holder = new TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        var taken = (IPEndPoint)holder.LocalEndpoint;

        var refused = await Assert.ThrowsAsync<HostingException>(() => MetricsServer.StartAsync(taken, () => _nodes));

        Assert.StartsWith($"cannot serve metrics on {taken}: ", refused.Message, StringComparison.Ordinal);
        Assert.EndsWith("give --metrics another address or port", refused.Message, StringComparison.Ordinal);
    }

    private static async Task<string> ScrapeAsync(MetricsServer server)
    {
        using var http = new HttpClient { DefaultRequestVersion = HttpVersion.Version11 };
        return await http.GetStringAsync(server.Address);
    }

    private static NodeStats Edge(ulong rxPackets) => new()
    {
        Node = "e1",
        Connected = true,
        AppliedVersion = 7,
        Counters = new CounterReport
        {
            Ports = { new PortCounters { Port = "vm1", RxPackets = rxPackets, RxBytes = rxPackets * 100, TxPackets = 4, TxBytes = 400, RxDropped = 1, TxDropped = 2, RxSpoofed = 3 } },
            Drops = { ["port_security"] = 3 },
            Datapath = { ["exact_hit"] = 10, ["megaflow_hit"] = 6, ["miss"] = 2 },
            TableEntries = { [0] = 12 },
        },
    };

    private static NodeStats Core() => new()
    {
        Node = "c1",
        Counters = new CounterReport
        {
            Drops = { ["ttl_expired"] = 2 },
            Datapath = { ["received"] = 9, ["swapped"] = 6, ["popped"] = 1, ["forwarded_on_backup"] = 0 },
            LfibEntries = 4,
        },
    };
}
