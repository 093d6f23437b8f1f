using Sdn.Contracts;

namespace Sdn.Fabric.Controller.Paths;

public enum PathNodeRole
{
    /// <summary>An edge switch: a path starts or ends here, never passes through.</summary>
    Edge,

    /// <summary>A core LSR: paths pass through it.</summary>
    Core,
}

public sealed record PathLink(string Name, string A, string B, uint Cost, bool Up)
{
    public string Other(string node) => node == A ? B : A;
}

/// <summary>The core graph paths are computed over: nodes with their role, and links with cost and liveness.</summary>
public sealed class PathGraph
{
    private IndexedGraph? _indexed;

    public PathGraph(IReadOnlyDictionary<string, PathNodeRole> nodes, IEnumerable<PathLink> links)
    {
        Nodes = nodes;
        Links = links.OrderBy(l => l.Name, StringComparer.Ordinal).ToDictionary(l => l.Name, StringComparer.Ordinal);
        LinksAt = Nodes.Keys.ToDictionary(
            n => n,
            n => (IReadOnlyList<PathLink>)Links.Values.Where(l => l.A == n || l.B == n).ToList(),
            StringComparer.Ordinal);
    }

    public IReadOnlyDictionary<string, PathNodeRole> Nodes { get; }

    public IReadOnlyDictionary<string, PathLink> Links { get; }

    /// <summary>Every link of a node, up or down, in name order.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<PathLink>> LinksAt { get; }

    /// <summary>The same graph numbered for path computation, built on first use.</summary>
    internal IndexedGraph Indexed => _indexed ??= new IndexedGraph(this);

    public IEnumerable<string> EdgeNames => Nodes.Where(n => n.Value == PathNodeRole.Edge).Select(n => n.Key).Order(StringComparer.Ordinal);

    /// <summary>The topology of the desired state; administratively downed links are down.</summary>
    public static PathGraph FromState(FabricState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var nodes = state.Edges.Select(e => (e.Name, Role: PathNodeRole.Edge))
            .Concat(state.CoreNodes.Select(c => (c.Name, Role: PathNodeRole.Core)))
            .ToDictionary(n => n.Name, n => n.Role, StringComparer.Ordinal);
        return new PathGraph(nodes, state.Links.Select(l => new PathLink(l.Name, l.A.Node, l.B.Node, l.Cost, !l.AdminDown)));
    }

    /// <summary>The same graph with one link's liveness changed, as when an agent reports it.</summary>
    public PathGraph WithLink(string name, bool up) =>
        new(Nodes, Links.Values.Select(l => l.Name == name ? l with { Up = up } : l));
}
