namespace Sdn.Fabric.Controller.Paths;

/// <summary>
/// Label-switched paths over the core, kept up to date as the topology changes.
///
/// <para><b>What.</b> For every destination edge there is one <see cref="LspTree"/>: each node's
/// shortest distance to it, its ECMP next hops (every neighbour on a shortest path), and a backup
/// path. A transport label per destination, swapped hop by hop along the next hops, is the LSP;
/// the backup is what a node's fast-failover switches to when its next-hop links die.</para>
///
/// <para><b>Backups.</b> A backup shares no link with any shortest path from its node when such a
/// path exists (<see cref="NodeRoute.BackupFullyDisjoint"/>); failing that it avoids at least the
/// node's own next-hop links, which is enough for a local link failure. Backups are explicit
/// paths, so they cannot loop whatever the other nodes do.</para>
///
/// <para><b>Incremental.</b> Losing a link can only change the trees that use it, on a shortest
/// path or a backup: only those are recomputed. A link coming up, a cost change or a node change
/// can shorten any path, so every tree is recomputed. Either way <see cref="Update"/> reports only
/// the destinations whose tree actually changed, which is all a compiler needs to re-emit.</para>
/// </summary>
public sealed class PathComputer
{
    private readonly Dictionary<string, LspTree> _trees;

    public PathComputer(PathGraph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        Graph = graph;
        _trees = graph.EdgeNames.ToDictionary(d => d, d => ShortestPaths.Compute(graph, d), StringComparer.Ordinal);
    }

    public PathGraph Graph { get; private set; }

    /// <summary>By destination edge.</summary>
    public IReadOnlyDictionary<string, LspTree> Trees => _trees;

    /// <summary>How many trees the last <see cref="Update"/> computed again.</summary>
    public int LastRecomputed { get; private set; }

    /// <summary>Moves to <paramref name="next"/> and returns the destinations whose LSPs changed, in name order.</summary>
    public IReadOnlyList<string> Update(PathGraph next)
    {
        ArgumentNullException.ThrowIfNull(next);
        var candidates = LinksLostOnly(Graph, next) is { } lost
            ? _trees.Where(t => t.Value.LinksUsed().Overlaps(lost)).Select(t => t.Key).ToList()
            : next.EdgeNames.ToList();

        var changed = _trees.Keys.Where(d => !next.Nodes.ContainsKey(d)).ToList();
        foreach (var gone in changed)
        {
            _trees.Remove(gone);
        }

        foreach (var destination in candidates)
        {
            var tree = ShortestPaths.Compute(next, destination);
            if (!_trees.TryGetValue(destination, out var before) || !before.Equals(tree))
            {
                changed.Add(destination);
            }

            _trees[destination] = tree;
        }

        Graph = next;
        LastRecomputed = candidates.Count;
        return changed.Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>The links that stopped carrying traffic, when that is the only difference; else null.</summary>
    private static HashSet<string>? LinksLostOnly(PathGraph before, PathGraph after)
    {
        if (before.Nodes.Count != after.Nodes.Count || before.Nodes.Any(n => !after.Nodes.TryGetValue(n.Key, out var role) || role != n.Value))
        {
            return null;
        }

        var lost = new HashSet<string>(StringComparer.Ordinal);
        foreach (var link in before.Links.Values)
        {
            after.Links.TryGetValue(link.Name, out var now);
            if (now is not null && (now.A, now.B, now.Cost) != (link.A, link.B, link.Cost))
            {
                return null;
            }

            if (link.Up && now is not { Up: true })
            {
                lost.Add(link.Name);
            }
            else if (!link.Up && now is { Up: true })
            {
                return null;
            }
        }

        return after.Links.Values.Any(l => l.Up && !before.Links.ContainsKey(l.Name)) ? null : lost;
    }
}
