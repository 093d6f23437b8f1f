using Sdn.Contracts;
using Sdn.Contracts.Southbound;
using Sdn.Fabric.Edge.Datapath;

namespace Sdn.Fabric.Edge.Agent;

/// <summary>An edge's counters as the controller asks for them: each bound port's, and the datapath's drops by reason.</summary>
internal static class EdgeCounterReport
{
    public static CounterReport Of(EdgeDatapath datapath, NodeProgram program)
    {
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

        return report;
    }
}
