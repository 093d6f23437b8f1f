namespace Sdn.Fabric.Controller.Paths;

/// <summary>
/// Dijkstra toward one destination edge over live links, passing only through core nodes: an edge
/// is where a path starts or ends, never a transit. Ties are broken by link name, so the same graph
/// always gives the same paths.
/// </summary>
internal static class ShortestPaths
{
    private static readonly HashSet<string> None = [];

    public static LspTree Compute(PathGraph graph, string destination)
    {
        var distances = Distances(graph, destination, excluded: None);
        var primaries = new Dictionary<string, NodeRoute>(StringComparer.Ordinal);
        foreach (var (node, distance) in distances.Where(d => d.Key != destination))
        {
            var nextHops = graph.LinksAt[node]
                .Where(l => Usable(graph, l, node, destination, None) && distances.TryGetValue(l.Other(node), out var there) && there + l.Cost == distance)
                .Select(l => new Hop(l.Name, node, l.Other(node)))
                .ToList();
            primaries[node] = new NodeRoute(node, distance, nextHops, Backup: null, BackupFullyDisjoint: false);
        }

        var primaryTree = new LspTree(destination, primaries);
        var routes = new Dictionary<string, NodeRoute>(StringComparer.Ordinal);
        foreach (var (node, route) in primaries.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            // Best: a backup sharing no link with any shortest path from here. Else at least one that
            // avoids this node's own next-hop links, which is what a local link failure needs.
            var disjoint = PathAvoiding(graph, node, destination, primaryTree.PrimaryLinksFrom(node).ToHashSet(StringComparer.Ordinal));
            var backup = disjoint ?? PathAvoiding(graph, node, destination, route.NextHops.Select(h => h.Link).ToHashSet(StringComparer.Ordinal));
            routes[node] = route with { Backup = backup, BackupFullyDisjoint = disjoint is not null };
        }

        return new LspTree(destination, routes);
    }

    /// <summary>The cheapest path from <paramref name="source"/> to <paramref name="destination"/> over no link in <paramref name="excluded"/>, or null.</summary>
    private static List<Hop>? PathAvoiding(PathGraph graph, string source, string destination, IReadOnlySet<string> excluded)
    {
        var distances = Distances(graph, destination, excluded);
        if (!distances.ContainsKey(source))
        {
            return null;
        }

        var path = new List<Hop>();
        for (var at = source; at != destination;)
        {
            var here = distances[at];
            var link = graph.LinksAt[at].First(l =>
                Usable(graph, l, at, destination, excluded) && distances.TryGetValue(l.Other(at), out var there) && there + l.Cost == here);
            path.Add(new Hop(link.Name, at, link.Other(at)));
            at = link.Other(at);
        }

        return path;
    }

    /// <summary>Each node's distance to <paramref name="destination"/>; nodes that cannot reach it are absent.</summary>
    private static Dictionary<string, uint> Distances(PathGraph graph, string destination, IReadOnlySet<string> excluded)
    {
        var distances = new Dictionary<string, uint>(StringComparer.Ordinal) { [destination] = 0 };
        var queue = new PriorityQueue<string, (uint Distance, string Node)>();
        queue.Enqueue(destination, (0, destination));
        while (queue.TryDequeue(out var node, out var priority))
        {
            if (priority.Distance > distances[node] || (node != destination && graph.Nodes[node] != PathNodeRole.Core))
            {
                continue;
            }

            foreach (var link in graph.LinksAt[node].Where(l => l.Up && !excluded.Contains(l.Name)))
            {
                var neighbour = link.Other(node);
                var distance = priority.Distance + link.Cost;
                if (!distances.TryGetValue(neighbour, out var known) || distance < known)
                {
                    distances[neighbour] = distance;
                    queue.Enqueue(neighbour, (distance, neighbour));
                }
            }
        }

        return distances;
    }

    /// <summary>Whether a path at <paramref name="from"/> may take <paramref name="link"/>: live, allowed, and into a transit node or the destination.</summary>
    private static bool Usable(PathGraph graph, PathLink link, string from, string destination, IReadOnlySet<string> excluded)
    {
        var to = link.Other(from);
        return link.Up && !excluded.Contains(link.Name) && (to == destination || graph.Nodes[to] == PathNodeRole.Core);
    }
}
