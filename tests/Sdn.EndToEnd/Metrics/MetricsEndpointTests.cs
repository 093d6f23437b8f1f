using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Sdn.Cli.Hosting;
using Sdn.EndToEnd.Support;

namespace Sdn.EndToEnd.Metrics;

/// <summary>The Prometheus endpoint of the quickstart fabric `sdn up --metrics` runs, scraped over HTTP/1.1 around known traffic.</summary>
public sealed partial class MetricsEndpointTests
{
    private const int Pings = 5;

    [KvmFact]
    public async Task A_scrape_shows_the_counters_move_by_at_least_the_traffic_sent()
    {
        var options = TopologyRun.Options() with { Metrics = new IPEndPoint(IPAddress.Loopback, 0) };
        await using var fabric = await EmbeddedFabric.StartAsync(TopologyRun.Load("quickstart.yaml"), options);
        using var http = new HttpClient { DefaultRequestVersion = HttpVersion.Version11 };
        var scrapeUrl = fabric.Metrics!.Address;
        const string FromH1 = "sdn_port_rx_packets_total{node=\"e2\",port=\"h1\"}";
        const string ToRed1 = "sdn_port_tx_packets_total{node=\"e1\",port=\"red1\"}";
        const string FromH1Bytes = "sdn_port_rx_bytes_total{node=\"e2\",port=\"h1\"}";
        await FabricChecks.UntilAsync(() => Scrape(http, scrapeUrl).ContainsKey(FromH1), () => "no counters for h1's port yet");
        var before = Scrape(http, scrapeUrl);

        var ping = await fabric.PingFromHostAsync("h1", "10.1.0.11", count: Pings);
        Assert.Contains($"{Pings} packets transmitted, {Pings} received", ping, StringComparison.Ordinal);

        // Each node reports its counters once a second, on its own clock: wait for the edges' and the core's.
        Dictionary<string, double> after = [];
        double LsrReceived() => Sum(after, "sdn_lsr_received_packets_total") - Sum(before, "sdn_lsr_received_packets_total");
        await FabricChecks.UntilAsync(
            () => (after = Scrape(http, scrapeUrl))[ToRed1] - before[ToRed1] >= Pings && after[FromH1] - before[FromH1] >= Pings && LsrReceived() >= 2 * Pings,
            () => $"the counters did not move by {Pings}: before {before.GetValueOrDefault(FromH1)}, {before.GetValueOrDefault(ToRed1)}; after {after.GetValueOrDefault(FromH1)}, {after.GetValueOrDefault(ToRed1)}; "
                + $"the core nodes received {LsrReceived()} labelled packets for {Pings} echo requests and replies");
        Assert.True(after[FromH1Bytes] - before[FromH1Bytes] >= Pings * 98, $"{FromH1Bytes}: {before[FromH1Bytes]} -> {after[FromH1Bytes]}");
        Assert.All(["e1", "e2", "c1", "c2"], node => Assert.Equal(1, after[$"sdn_node_connected{{node=\"{node}\"}}"]));
        Assert.True(Sum(after, "sdn_flow_entries{node=\"e1\"") > 0);
        Assert.True(after["sdn_lfib_entries{node=\"c1\"}"] > 0);
        Assert.True(Sum(after, "sdn_flow_cache_hits_total{node=\"e1\"") + after["sdn_flow_cache_misses_total{node=\"e1\"}"] >= Pings);
        Assert.True(after["sdn_compile_duration_seconds_count"] >= 1);
        Assert.True(after["sdn_agent_apply_duration_seconds_count{node=\"e1\"}"] >= 1);
    }

    /// <summary>Every sample of the scrape, by its name and labels as the text format writes them.</summary>
    private static Dictionary<string, double> Scrape(HttpClient http, Uri url)
    {
        var text = http.GetStringAsync(url).GetAwaiter().GetResult();
        return Sample().Matches(text).ToDictionary(m => m.Groups[1].Value, m => double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture));
    }

    private static double Sum(Dictionary<string, double> samples, string prefix) =>
        samples.Where(s => s.Key.StartsWith(prefix, StringComparison.Ordinal)).Sum(s => s.Value);

    [GeneratedRegex(@"^(sdn_\S+) (\S+)$", RegexOptions.Multiline)]
    private static partial Regex Sample();
}
