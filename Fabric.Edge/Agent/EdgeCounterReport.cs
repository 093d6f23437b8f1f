using Sdn.Contracts;
using Sdn.Contracts.Southbound;
using Sdn.Fabric.Edge.Datapath;

namespace Sdn.Fabric.Edge.Agent;

/// <summary>
/// An edge's counters as the controller asks for them: each bound port's, the datapath's drops by reason, its flow
/// cache's lookups by tier, and how many entries each flow table holds.
/// </summary>
internal static class EdgeCounterReport
{
    public static CounterReport Of(EdgeSwitch edge, NodeProgram program)
    {
        var datapath = edge.Datapath;
        var report = new CounterReport();
        foreach (var port in program.Ports.Values)
        {
            if (datapath.PortCounters(port.Number) is { } counters)
            {
                report.Ports.Add(new PortCounters
                {
                    Port = port.Name,
                    RxPackets = (ulong)counters.RxPackets,
                    RxBytes = (ulong)counters.RxBytes,
                    TxPackets = (ulong)counters.TxPackets,
                    TxBytes = (ulong)counters.TxBytes,
                    RxDropped = (ulong)counters.RxMalformed,
                    TxDropped = (ulong)counters.TxDropped,
                    RxSpoofed = (ulong)counters.RxSpoofed,
                });
            }
        }

        foreach (var (reason, count) in datapath.Counters.ByReason())
        {
            report.Drops[reason] = (ulong)count;
        }

        report.Datapath["exact_hit"] = (ulong)datapath.Cache.ExactHits;
        report.Datapath["megaflow_hit"] = (ulong)datapath.Cache.MegaflowHits;
        report.Datapath["miss"] = (ulong)datapath.Cache.Misses;
        report.Datapath["ct_connections"] = (ulong)datapath.Conntrack.Count;
        report.Datapath["ct_created"] = (ulong)datapath.Conntrack.Created;
        report.Datapath["nat_connections"] = (ulong)datapath.Conntrack.TranslatedNow;
        report.Datapath["nat_translated"] = (ulong)datapath.Conntrack.Translated;
        foreach (var table in edge.Pipeline.Tables)
        {
            report.TableEntries[table.Id] = (ulong)table.Count;
        }

        return report;
    }
}
