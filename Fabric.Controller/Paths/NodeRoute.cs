namespace Sdn.Fabric.Controller.Paths;

/// <summary>One step of a path: leaving <see cref="From"/> over <see cref="Link"/> to <see cref="To"/>.</summary>
public readonly record struct Hop(string Link, string From, string To);

/// <summary>
/// How one node reaches one destination edge: its distance, its equal-cost next hops (the ECMP
/// set), and a backup path that shares no link with any of its shortest paths.
/// </summary>
public sealed record NodeRoute(string Node, uint Distance, IReadOnlyList<Hop> NextHops, IReadOnlyList<Hop>? Backup, bool BackupFullyDisjoint)
{
    /// <summary>Every link the route depends on: its shortest paths' and its backup's.</summary>
    public IEnumerable<string> LinksUsed(LspTree tree) =>
        tree.PrimaryLinksFrom(Node).Concat(Backup?.Select(h => h.Link) ?? []);

    public bool Equals(NodeRoute? other) =>
        other is not null && Node == other.Node && Distance == other.Distance && BackupFullyDisjoint == other.BackupFullyDisjoint
        && NextHops.SequenceEqual(other.NextHops)
        && (Backup is null ? other.Backup is null : other.Backup is not null && Backup.SequenceEqual(other.Backup));

    public override int GetHashCode() => HashCode.Combine(Node, Distance, NextHops.Count);
}
