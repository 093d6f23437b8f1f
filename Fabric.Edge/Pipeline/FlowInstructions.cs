namespace Sdn.Fabric.Edge.Pipeline;

/// <summary>
/// The instructions of a flow entry, run in OpenFlow order: apply-actions, then write-metadata, then goto-table.
/// </summary>
/// <param name="ApplyActions">Actions applied to the packet at once, in order.</param>
/// <param name="GotoTable">The next table; it must be greater than the entry's own (goto only moves forward).</param>
public sealed record FlowInstructions(IReadOnlyList<PipelineAction> ApplyActions, byte? GotoTable = null)
{
    /// <summary>No actions and no goto: the packet is dropped.</summary>
    public static FlowInstructions DropPacket { get; } = new([]);

    public ulong MetadataValue { get; init; }

    /// <summary>The metadata bits write-metadata sets; zero means the instruction is absent.</summary>
    public ulong MetadataMask { get; init; }

    public static FlowInstructions Apply(params PipelineAction[] actions) => new(actions);

    public static FlowInstructions Goto(byte table, params PipelineAction[] actions) => new(actions, table);

    public FlowInstructions WithMetadata(ulong value, ulong mask = ulong.MaxValue) =>
        this with { MetadataValue = value, MetadataMask = mask };

    /// <summary>True when apply-actions hold an action of <paramref name="kind"/> on <paramref name="operand"/> (a port or group).</summary>
    internal bool Has(PipelineActionKind kind, uint operand) => ApplyActions.Any(a => a.Kind == kind && a.Operand == operand);

    public override string ToString()
    {
        var parts = new List<string>();
        if (ApplyActions.Count > 0)
        {
            parts.Add("apply(" + string.Join(",", ApplyActions) + ")");
        }

        if (MetadataMask != 0)
        {
            parts.Add($"write_metadata:0x{MetadataValue:x}/0x{MetadataMask:x}");
        }

        if (GotoTable is { } table)
        {
            parts.Add($"goto_table:{table}");
        }

        return parts.Count == 0 ? "drop" : string.Join(" ", parts);
    }
}
