namespace Sdn.Fabric.Controller.Paths;

/// <summary>
/// Dijkstra toward one destination edge over live links, passing only through core nodes: an edge
/// is where a path starts or ends, never a transit. Ties are broken by link name, so the same graph
/// always gives the same paths.
/// </summary>
/// <remarks>
/// A tree costs one search for its distances and one or two more per node for the backups, so a fabric of a
/// hundred edges runs tens of thousands of searches: they work on the graph's <see cref="IndexedGraph"/>.
/// </remarks>
public static class ShortestPaths
{
    private const uint Unreachable = uint.MaxValue;

    public static LspTree Compute(PathGraph graph, string destination)
    {
        var indexed = graph.Indexed;
        var target = indexed.IndexOf(destination);
        var distances = Distances(indexed, target, excluded: null, leaf: null);
        var primaries = new Dictionary<string, NodeRoute>(StringComparer.Ordinal);
        var order = indexed.InNameOrder;
        foreach (var node in order)
        {
            if (node == target || distances[node] == Unreachable)
            {
                continue;
            }

            var nextHops = new List<Hop>();
            foreach (var link in indexed.LinksAt[node])
            {
                var there = indexed.Other(link, node);
                if (Usable(indexed, link, node, target, excluded: null) && distances[there] != Unreachable && distances[there] + indexed.Links[link].Cost == distances[node])
                {
                    nextHops.Add(new Hop(indexed.Links[link].Name, indexed.NodeNames[node], indexed.NodeNames[there]));
                }
            }

            primaries[indexed.NodeNames[node]] = new NodeRoute(indexed.NodeNames[node], distances[node], nextHops, Backup: null, BackupFullyDisjoint: false);
        }

        var primaryTree = new LspTree(destination, primaries);
        var routes = new Dictionary<string, NodeRoute>(StringComparer.Ordinal);
        foreach (var (name, route) in primaries)
        {
            // Best: a backup sharing no link with any shortest path from here. Else at least one that
            // avoids this node's own next-hop links, which is what a local link failure needs.
            var node = indexed.IndexOf(name);
            var disjoint = PathAvoiding(indexed, node, target, Excluding(indexed, primaryTree.PrimaryLinksFrom(name)));
            var backup = disjoint ?? PathAvoiding(indexed, node, target, Excluding(indexed, route.NextHops.Select(h => h.Link)));
            routes[name] = route with { Backup = backup, BackupFullyDisjoint = disjoint is not null };
        }

        return new LspTree(destination, routes);
    }

    /// <summary>The cheapest path from <paramref name="source"/> to <paramref name="destination"/> over no excluded link, or null.</summary>
    private static List<Hop>? PathAvoiding(IndexedGraph graph, int source, int destination, bool[] excluded)
    {
        var distances = Distances(graph, destination, excluded, leaf: source);
        if (distances[source] == Unreachable)
        {
            return null;
        }

        var path = new List<Hop>();
        for (var at = source; at != destination;)
        {
            var here = distances[at];
            var next = Array.Find(graph.LinksAt[at], link =>
                Usable(graph, link, at, destination, excluded) && distances[graph.Other(link, at)] is var there && there != Unreachable && there + graph.Links[link].Cost == here);
            var to = graph.Other(next, at);
            path.Add(new Hop(graph.Links[next].Name, graph.NodeNames[at], graph.NodeNames[to]));
            at = to;
        }

        return path;
    }

    /// <summary>Each node's distance to <paramref name="destination"/>; <see cref="Unreachable"/> for nodes that cannot reach it.</summary>
    /// <param name="leaf">
    /// When given, the only node other than transit nodes whose distance is wanted: a path from it passes through transit
    /// nodes only, so the other edges, which no path passes through, are left out. In a fabric of many edges on few core
    /// nodes, that makes a backup's search cost the core's size instead of the fabric's.
    /// </param>
    private static uint[] Distances(IndexedGraph graph, int destination, bool[]? excluded, int? leaf)
    {
        var distances = new uint[graph.Count];
        Array.Fill(distances, Unreachable);
        distances[destination] = 0;
        var queue = new PriorityQueue<int, uint>();
        queue.Enqueue(destination, 0);
        while (queue.TryDequeue(out var node, out var distance))
        {
            if (distance > distances[node] || (node != destination && !graph.IsTransit[node]))
            {
                continue;
            }

            foreach (var link in graph.LinksAt[node])
            {
                var neighbour = graph.Other(link, node);
                var through = distance + graph.Links[link].Cost;
                if (graph.Links[link].Up && excluded?[link] != true && neighbour >= 0 && through < distances[neighbour]
                    && (leaf is not { } only || neighbour == only || graph.IsTransit[neighbour]))
                {
                    distances[neighbour] = through;
                    queue.Enqueue(neighbour, through);
                }
            }
        }

        return distances;
    }

    /// <summary>Whether a path at <paramref name="from"/> may take <paramref name="link"/>: live, allowed, and into a transit node or the destination.</summary>
    private static bool Usable(IndexedGraph graph, int link, int from, int destination, bool[]? excluded)
    {
        var to = graph.Other(link, from);
        return graph.Links[link].Up && excluded?[link] != true && to >= 0 && (to == destination || graph.IsTransit[to]);
    }

    private static bool[] Excluding(IndexedGraph graph, IEnumerable<string> linkNames)
    {
        var excluded = new bool[graph.Links.Length];
        foreach (var name in linkNames)
        {
            excluded[graph.IndexOfLink(name)] = true;
        }

        return excluded;
    }
}
