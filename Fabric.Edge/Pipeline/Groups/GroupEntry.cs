namespace Sdn.Fabric.Edge.Pipeline.Groups;

/// <summary>A group entry: an id, a type and its buckets.</summary>
public sealed record GroupEntry(uint Id, GroupKind Type, IReadOnlyList<GroupBucket> Buckets)
{
    public override string ToString() => $"group {Id} {Type} ({Buckets.Count} buckets)";
}
