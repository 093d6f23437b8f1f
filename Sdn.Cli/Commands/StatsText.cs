using System.Globalization;
using System.Text;
using Sdn.Contracts;

namespace Sdn.Cli.Commands;

/// <summary>
/// The counters of <c>GetStats</c> as tables: nodes, ports, flow cache tiers, NAT (on edges that translated), label
/// switching, and drops by reason.
/// Given the snapshot before and the seconds between, the ports also show rates per second, as `top` does.
/// </summary>
internal static class StatsText
{
    public static string Render(StatsReply stats, StatsReply? before = null, double seconds = 0)
    {
        var text = new StringBuilder();
        text.Append(TextTable.Render(
            ["NODE", "AGENT", "APPLIED", "FLOWS", "LFIB"],
            stats.Nodes.Select(n => new[]
            {
                n.Node, n.Connected ? "connected" : "disconnected", Number(n.AppliedVersion),
                n.Counters is { TableEntries.Count: > 0 } c ? Number(c.TableEntries.Values.Aggregate(0ul, (sum, e) => sum + e)) : "-",
                n.Counters is { HasLfibEntries: true } l ? Number(l.LfibEntries) : "-",
            })));
        var rates = before is not null && seconds > 0;
        var previous = before?.Nodes.Where(n => n.Counters is not null)
            .SelectMany(n => n.Counters.Ports.Select(p => (Key: (n.Node, p.Port), Port: p)))
            .ToDictionary(p => p.Key, p => p.Port);
        string[] portHeader = ["NODE", "PORT", "RX PKTS", "RX BYTES", "TX PKTS", "TX BYTES", "RX DROP", "TX DROP", "SPOOFED"];
        AppendSection(text, TextTable.Render(
            rates ? [.. portHeader, "RX PKT/S", "RX B/S", "TX PKT/S", "TX B/S"] : portHeader,
            Reported(stats).SelectMany(n => n.Counters.Ports.Select(p =>
            {
                string[] row = [n.Node, p.Port, Number(p.RxPackets), Number(p.RxBytes), Number(p.TxPackets), Number(p.TxBytes), Number(p.RxDropped), Number(p.TxDropped), Number(p.RxSpoofed)];
                if (!rates)
                {
                    return row;
                }

                var was = previous!.GetValueOrDefault((n.Node, p.Port)) ?? new PortCounters();
                return [.. row, Rate(p.RxPackets, was.RxPackets, seconds), Rate(p.RxBytes, was.RxBytes, seconds), Rate(p.TxPackets, was.TxPackets, seconds), Rate(p.TxBytes, was.TxBytes, seconds)];
            }))));
        AppendSection(text, TextTable.Render(
            ["NODE", "CACHE EXACT", "CACHE MEGAFLOW", "CACHE MISS", "CONNECTIONS"],
            Reported(stats).Where(n => n.Counters.Datapath.ContainsKey("miss")).Select(n => new[]
            {
                n.Node, Datapath(n, "exact_hit"), Datapath(n, "megaflow_hit"), Datapath(n, "miss"), Datapath(n, "ct_connections"),
            })));
        AppendSection(text, TextTable.Render(
            ["NODE", "NAT CONNECTIONS", "NAT TRANSLATED"],
            Reported(stats).Where(n => n.Counters.Datapath.GetValueOrDefault("nat_translated") > 0).Select(n => new[]
            {
                n.Node, Datapath(n, "nat_connections"), Datapath(n, "nat_translated"),
            })));
        AppendSection(text, TextTable.Render(
            ["NODE", "LSR RECEIVED", "SWAPPED", "POPPED", "ON BACKUP"],
            Reported(stats).Where(n => n.Counters.Datapath.ContainsKey("received")).Select(n => new[]
            {
                n.Node, Datapath(n, "received"), Datapath(n, "swapped"), Datapath(n, "popped"), Datapath(n, "forwarded_on_backup"),
            })));
        AppendSection(text, TextTable.Render(
            ["NODE", "DROP REASON", "PACKETS"],
            Reported(stats).SelectMany(n => n.Counters.Drops.Where(d => d.Value > 0).OrderBy(d => d.Key, StringComparer.Ordinal).Select(d => new[] { n.Node, d.Key, Number(d.Value) }))));
        return text.ToString();
    }

    private static IEnumerable<NodeStats> Reported(StatsReply stats) => stats.Nodes.Where(n => n.Counters is not null);

    /// <summary>A table that has rows, after a blank line; nothing for one with only its header.</summary>
    private static void AppendSection(StringBuilder text, string table)
    {
        if (table.Count(c => c == '\n') > 1)
        {
            text.AppendLine().Append(table);
        }
    }

    private static string Datapath(NodeStats node, string key) => Number(node.Counters.Datapath.GetValueOrDefault(key));

    private static string Number(ulong value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>The increase per second; a counter that went down (the node restarted) counts from zero.</summary>
    private static string Rate(ulong now, ulong before, double seconds) =>
        ((now >= before ? now - before : now) / seconds).ToString("F0", CultureInfo.InvariantCulture);
}
