namespace Sdn.Fabric.Edge.Pipeline;

/// <summary>One table visited by a traced packet, and the entry it matched there (null when none did).</summary>
public sealed record TableVisit(byte TableId, TableEntry? Entry)
{
    public override string ToString() => Entry is null
        ? $"table {TableId}: no match, no table-miss entry: drop"
        : $"table {TableId}: priority {Entry.Priority}{(Entry.IsTableMiss ? " (table-miss)" : string.Empty)} match {Entry.Match} -> {Entry.Instructions}";
}
