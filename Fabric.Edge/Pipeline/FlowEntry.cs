using Sdn.Fabric.Edge.Datapath;

namespace Sdn.Fabric.Edge.Pipeline;

/// <summary>One entry of a flow table.</summary>
public sealed class FlowEntry
{
    internal FlowEntry(byte tableId, FlowMod mod, long createdTimestamp)
    {
        TableId = tableId;
        Match = mod.Match;
        Priority = mod.Priority;
        Cookie = mod.Cookie;
        Instructions = mod.Instructions;
        IdleTimeout = mod.IdleTimeout;
        HardTimeout = mod.HardTimeout;
        SendFlowRemoved = (mod.Flags & FlowModOptions.SendFlowRemoved) != 0;
        CreatedTimestamp = createdTimestamp;
    }

    public byte TableId { get; }

    public FlowMatch Match { get; }

    public int Priority { get; }

    public ulong Cookie { get; }

    public FlowInstructions Instructions { get; internal set; }

    /// <summary>Removed after this long without a packet; <see cref="TimeSpan.Zero"/> for never.</summary>
    public TimeSpan IdleTimeout { get; }

    /// <summary>Removed this long after it was added, whatever the traffic; <see cref="TimeSpan.Zero"/> for never.</summary>
    public TimeSpan HardTimeout { get; }

    public bool SendFlowRemoved { get; }

    public long CreatedTimestamp { get; }

    public FlowCounters Counters { get; } = new();

    /// <summary>True for the lowest-priority, match-anything entry that catches what nothing else did.</summary>
    public bool IsTableMiss => Priority == 0 && Match.IsAny;

    /// <summary>The next lower-priority entry with the same match, in the classifier's subtable.</summary>
    internal FlowEntry? NextWithSameMatch { get; set; }

    public override string ToString() => $"table={TableId} priority={Priority} {Match} cookie=0x{Cookie:x} {Instructions}";
}
