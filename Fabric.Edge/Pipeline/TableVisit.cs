namespace Sdn.Fabric.Edge.Pipeline;

/// <summary>One table visited by a traced packet, with its name (empty when unnamed), and the entry it matched there (null when none did).</summary>
public sealed record TableVisit(byte TableId, string TableName, TableEntry? Entry)
{
    /// <summary>"table 1 (port-security)", or "table 1" for an unnamed table.</summary>
    public string Table => TableName.Length > 0 ? $"table {TableId} ({TableName})" : $"table {TableId}";

    public override string ToString() => Entry is null
        ? $"{Table}: no match, no table-miss entry: drop"
        : $"{Table}: priority {Entry.Priority}{(Entry.IsTableMiss ? " (table-miss)" : string.Empty)} match {Entry.Match} -> {Entry.Instructions}";
}
