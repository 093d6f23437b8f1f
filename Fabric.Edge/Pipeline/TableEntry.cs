using Sdn.Common.Packets;
using Sdn.Fabric.Edge.Datapath;
using Sdn.Fabric.Edge.Pipeline.Revalidation;

namespace Sdn.Fabric.Edge.Pipeline;

/// <summary>One entry of a flow table.</summary>
/// <remarks>
/// The entry keeps the add that made it (flow-mods are immutable) rather than copying its 256-byte match and
/// settings: a table of 100,000 entries then holds each match once, and installing one copies nothing.
/// </remarks>
public sealed class TableEntry
{
    private readonly FlowEdit _added;
    private CachedFlowSet? _users;

    internal TableEntry(byte tableId, FlowEdit added, long createdTimestamp)
    {
        _added = added;
        TableId = tableId;
        Priority = added.Priority;
        Instructions = added.Instructions;
        CreatedTimestamp = createdTimestamp;
    }

    public byte TableId { get; }

    public FlowMatch Match => _added.Match;

    /// <summary>The match's value, read in place: the key this entry is filed under in the classifier's subtable.</summary>
    internal ref readonly FlowKey MatchValue => ref _added.MatchValue;

    /// <summary>A copy of the add's, read on every classifier probe.</summary>
    public int Priority { get; }

    public ulong Cookie => _added.Cookie;

    public FlowInstructions Instructions { get; internal set; }

    /// <summary>Removed after this long without a packet; <see cref="TimeSpan.Zero"/> for never.</summary>
    public TimeSpan IdleTimeout => _added.IdleTimeout;

    /// <summary>Removed this long after it was added, whatever the traffic; <see cref="TimeSpan.Zero"/> for never.</summary>
    public TimeSpan HardTimeout => _added.HardTimeout;

    public bool SendFlowRemoved => (_added.Flags & FlowEditOptions.SendFlowRemoved) != 0;

    public long CreatedTimestamp { get; }

    public EntryCounters Counters { get; } = new();

    /// <summary>True for the lowest-priority, match-anything entry that catches what nothing else did.</summary>
    public bool IsTableMiss => Priority == 0 && Match.IsAny;

    /// <summary>The cached flows that matched this entry; made on first use, as most entries of a large table have none.</summary>
    internal CachedFlowSet Users => _users ??= new();

    /// <summary>The next lower-priority entry with the same match, in the classifier's subtable.</summary>
    internal TableEntry? NextWithSameMatch { get; set; }

    /// <summary>Retires the cached flows that matched this entry: it was removed, or its instructions changed.</summary>
    internal void RetireUsers() => _users?.RetireAll();

    public override string ToString() => $"table={TableId} priority={Priority} {Match} cookie=0x{Cookie:x} {Instructions}";
}
