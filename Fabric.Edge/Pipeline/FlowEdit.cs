using Sdn.Common.Packets;

namespace Sdn.Fabric.Edge.Pipeline;

/// <summary>A request to change a flow table, as OpenFlow 1.3's OFPT_FLOW_MOD carries it.</summary>
/// <param name="CookieMask">For modify and delete: only entries whose cookie equals <see cref="Cookie"/> under this mask; zero for any.</param>
public sealed record FlowEdit(
    FlowEditCommand Command,
    byte TableId,
    FlowMatch Match,
    int Priority = 0,
    FlowInstructions? Instructions = null,
    ulong Cookie = 0,
    ulong CookieMask = 0,
    TimeSpan IdleTimeout = default,
    TimeSpan HardTimeout = default,
    FlowEditOptions Flags = FlowEditOptions.None)
{
    private readonly FlowMatch _match = Match;

    public FlowMatch Match { get => _match; init => _match = value; }

    public FlowInstructions Instructions { get; init; } = Instructions ?? FlowInstructions.DropPacket;

    /// <summary>The match's value without copying the match, for the classifier, which compares it in place.</summary>
    internal ref readonly FlowKey MatchValue => ref _match.ValueInPlace;

    public static FlowEdit Add(byte table, int priority, FlowMatch match, FlowInstructions instructions) =>
        new(FlowEditCommand.Add, table, match, priority, instructions);

    public static FlowEdit Delete(byte table, FlowMatch match) => new(FlowEditCommand.Delete, table, match);

    public static FlowEdit DeleteStrict(byte table, int priority, FlowMatch match) =>
        new(FlowEditCommand.DeleteStrict, table, match, priority);

    public static FlowEdit Modify(byte table, FlowMatch match, FlowInstructions instructions) =>
        new(FlowEditCommand.Modify, table, match, Instructions: instructions);

    public static FlowEdit ModifyStrict(byte table, int priority, FlowMatch match, FlowInstructions instructions) =>
        new(FlowEditCommand.ModifyStrict, table, match, priority, instructions);

    /// <summary>For deletes: only entries that output to this port (OpenFlow's out_port); null for any.</summary>
    public uint? OutPort { get; init; }

    /// <summary>For deletes: only entries that send to this group (OpenFlow's out_group); null for any.</summary>
    public uint? OutGroup { get; init; }

    /// <summary>Whether the request's cookie, and for a delete its out_port and out_group, select <paramref name="entry"/>.</summary>
    internal bool Selects(TableEntry entry)
    {
        if (((entry.Cookie ^ Cookie) & CookieMask) != 0)
        {
            return false;
        }

        if (Command is not (FlowEditCommand.Delete or FlowEditCommand.DeleteStrict))
        {
            return true;
        }

        return (OutPort is not { } port || entry.Instructions.Has(PipelineActionKind.Output, port))
            && (OutGroup is not { } group || entry.Instructions.Has(PipelineActionKind.Group, group));
    }
}
