using Google.Protobuf;
using Sdn.Contracts;
using Sdn.EndToEnd.Support;

namespace Sdn.EndToEnd.Diagnostics;

/// <summary>`sdn stats` against the embedded quickstart fabric: tables, JSON, one node, and --watch.</summary>
[Collection(SharedQuickstart.Name)]
public sealed class StatsCommandTests(RunningQuickstart quickstart)
{
    [KvmFact]
    public async Task Stats_prints_every_node_and_port_with_its_counters()
    {
        var fabric = await quickstart.FabricAsync();

        var (exit, output, _) = await SdnCli.RunAsync(fabric.Address, "stats");

        Assert.True(exit == 0, output);
        Assert.Matches(@"(?m)^NODE\s+AGENT\s+APPLIED\s+FLOWS\s+LFIB$", output);
        Assert.All(["e1", "e2", "c1", "c2"], node => Assert.Matches($@"(?m)^{node}\s+connected\s+\d+", output));
        Assert.Matches(@"(?m)^NODE\s+PORT\s+RX PKTS\s+RX BYTES\s+TX PKTS\s+TX BYTES\s+RX DROP\s+TX DROP\s+SPOOFED$", output);
        Assert.All(["red1", "red2", "blue1", "blue2", "h1", "probe"], port => Assert.Matches($@"(?m)^e\d\s+{port}\s+\d+", output));
        Assert.Matches(@"(?m)^e1\s+\d+\s+\d+\s+\d+\s+\d+$", output[output.IndexOf("CACHE EXACT", StringComparison.Ordinal)..]);
        Assert.Matches(@"(?m)^c1\s+\d+\s+\d+\s+\d+\s+\d+$", output[output.IndexOf("LSR RECEIVED", StringComparison.Ordinal)..]);
    }

    [KvmFact]
    public async Task Stats_json_parses_as_the_apis_reply_and_a_node_narrows_it()
    {
        var fabric = await quickstart.FabricAsync();

        var (exit, output, _) = await SdnCli.RunAsync(fabric.Address, "stats", "e1", "--json");

        Assert.True(exit == 0, output);
        var reply = JsonParser.Default.Parse<StatsReply>(output);
        var e1 = Assert.Single(reply.Nodes);
        Assert.Equal("e1", e1.Node);
        Assert.True(e1.Connected, output);
        Assert.Contains("red1", e1.Counters.Ports.Select(p => p.Port));
        var (unknown, _, error) = await SdnCli.RunAsync(fabric.Address, "stats", "e9");
        Assert.Equal(1, unknown);
        Assert.StartsWith("sdn: NotFound: ", error, StringComparison.Ordinal);
    }

    [KvmFact]
    public async Task Stats_watch_prints_successive_snapshots_with_rates_until_stopped()
    {
        var fabric = await quickstart.FabricAsync();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(2.5));

        var (exit, output, _) = await SdnCli.RunAsync(fabric.Address, stop.Token, "stats", "--watch");

        Assert.True(exit == 0, output);
        Assert.True(System.Text.RegularExpressions.Regex.Count(output, @"(?m)^\d\d:\d\d:\d\d$") >= 2, output);
        Assert.Contains("RX PKT/S", output, StringComparison.Ordinal);
        Assert.DoesNotContain("\e[2J", output, StringComparison.Ordinal);
    }
}
