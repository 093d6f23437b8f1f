using Sdn.Contracts;
using Sdn.Contracts.Southbound;

namespace Sdn.Fabric.Edge.Agent;

/// <summary>
/// Every entry of the switch's tables (or of one), as programmed, with the live counters, and the ports by number so
/// that the entries can be printed with port names: what `sdn flows` shows.
/// </summary>
internal static class FlowTableDump
{
    /// <param name="tableId">Only this table; null for every table. The caller checks that it exists.</param>
    public static FlowDump Of(string edgeName, EdgeSwitch edge, NodeProgram program, uint? tableId)
    {
        var flows = new ProgrammedFlows(program);
        var now = edge.Time.GetTimestamp();
        var dump = new FlowDump { Edge = edgeName, Ports = { program.Ports.Values.OrderBy(p => p.Number) } };
        foreach (var table in edge.Pipeline.Tables.Where(t => tableId is not { } only || t.Id == only))
        {
            if (table.Name.Length > 0)
            {
                dump.TableNames[table.Id] = table.Name;
            }

            // Highest priority first, as the classifier tries them; entries of one priority in a stable order.
            var described = table.Entries.Select(e => (Entry: e, Programmed: flows.Describe(e)))
                .OrderByDescending(e => e.Entry.Priority).ThenBy(e => FlowIdentity.Of(e.Programmed));
            foreach (var (entry, programmed) in described)
            {
                var lastActive = Math.Max(entry.CreatedTimestamp, entry.Counters.LastHitTimestamp);
                dump.Flows.Add(new FlowEntryStats
                {
                    Entry = programmed,
                    Packets = (ulong)entry.Counters.Packets,
                    Bytes = (ulong)entry.Counters.Bytes,
                    DurationMs = (ulong)edge.Time.GetElapsedTime(entry.CreatedTimestamp, now).TotalMilliseconds,
                    IdleMs = (ulong)edge.Time.GetElapsedTime(lastActive, now).TotalMilliseconds,
                });
            }
        }

        return dump;
    }
}
