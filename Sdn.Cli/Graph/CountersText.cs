using System.Globalization;
using Sdn.Cli.Commands;
using Sdn.Contracts;

namespace Sdn.Cli.Graph;

/// <summary>A node's counters as the page shows them: a table of its ports, its LFIB entries when it has any, then its drops and datapath tiers.</summary>
internal static class CountersText
{
    public static string Write(CounterReport? counters)
    {
        if (counters is null)
        {
            return "no counters: the node's agent has not reported any\n";
        }

        var text = TextTable.Render(
            ["PORT", "RX_PACKETS", "RX_BYTES", "TX_PACKETS", "TX_BYTES", "RX_DROPPED", "TX_DROPPED", "RX_SPOOFED"],
            counters.Ports.Select(p => new[] { p.Port, Number(p.RxPackets), Number(p.RxBytes), Number(p.TxPackets), Number(p.TxBytes), Number(p.RxDropped), Number(p.TxDropped), Number(p.RxSpoofed) }));
        if (counters.Lfib.Count > 0)
        {
            text += "\n" + TextTable.Render(["IN_LABEL", "PACKETS", "BYTES"], counters.Lfib.Select(l => new[] { Number(l.InLabel), Number(l.Packets), Number(l.Bytes) }));
        }

        return text + Map("drops", counters.Drops) + Map("datapath", counters.Datapath);
    }

    private static string Map(string title, Google.Protobuf.Collections.MapField<string, ulong> values) =>
        values.Count == 0 ? string.Empty : $"\n{title}: {string.Join(", ", values.OrderBy(v => v.Key, StringComparer.Ordinal).Select(v => $"{v.Key}={Number(v.Value)}"))}\n";

    private static string Number(ulong value) => value.ToString(CultureInfo.InvariantCulture);
}
