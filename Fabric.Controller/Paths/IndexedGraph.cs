namespace Sdn.Fabric.Controller.Paths;

/// <summary>
/// A <see cref="PathGraph"/> numbered for path computation: nodes and links by index, each node's links in name
/// order, so that the thousands of searches a compile runs index arrays instead of hashing names.
/// </summary>
public sealed class IndexedGraph
{
    private readonly Dictionary<string, int> _nodeIndex;
    private readonly Dictionary<string, int> _linkIndex;
    private readonly int[] _linkA;
    private readonly int[] _linkB;

    public IndexedGraph(PathGraph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        NodeNames = [.. graph.Nodes.Keys];
        _nodeIndex = new Dictionary<string, int>(NodeNames.Length, StringComparer.Ordinal);
        for (var i = 0; i < NodeNames.Length; i++)
        {
            _nodeIndex[NodeNames[i]] = i;
        }

        IsTransit = [.. NodeNames.Select(n => graph.Nodes[n] == PathNodeRole.Core)];
        InNameOrder = [.. Enumerable.Range(0, NodeNames.Length).OrderBy(i => NodeNames[i], StringComparer.Ordinal)];

        // Graph.Links is in name order, so link indices are too.
        Links = [.. graph.Links.Values];
        _linkIndex = new Dictionary<string, int>(Links.Length, StringComparer.Ordinal);
        for (var i = 0; i < Links.Length; i++)
        {
            _linkIndex[Links[i].Name] = i;
        }

        _linkA = [.. Links.Select(l => _nodeIndex.GetValueOrDefault(l.A, -1))];
        _linkB = [.. Links.Select(l => _nodeIndex.GetValueOrDefault(l.B, -1))];
        LinksAt = [.. NodeNames.Select(n => graph.LinksAt[n].Select(l => _linkIndex[l.Name]).ToArray())];
    }

    public int Count => NodeNames.Length;

    public string[] NodeNames { get; }

    /// <summary>By node: whether paths may pass through it (a core node).</summary>
    public bool[] IsTransit { get; }

    /// <summary>Every node index, ordered by node name.</summary>
    public int[] InNameOrder { get; }

    public PathLink[] Links { get; }

    /// <summary>By node: the indices of its links, up or down, in name order.</summary>
    public int[][] LinksAt { get; }

    public int IndexOf(string node) => _nodeIndex[node];

    public int IndexOfLink(string link) => _linkIndex[link];

    /// <summary>The node across <paramref name="link"/> from <paramref name="node"/>; -1 when that end is no node of the graph.</summary>
    public int Other(int link, int node) => _linkA[link] == node ? _linkB[link] : _linkA[link];
}
