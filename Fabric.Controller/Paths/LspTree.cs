namespace Sdn.Fabric.Controller.Paths;

/// <summary>
/// The label-switched paths to one destination edge: every node that can reach it, with its ECMP
/// next hops and backup. Together the next hops form a DAG rooted at the destination, which is
/// what one transport label per destination (swapped hop by hop) follows.
/// </summary>
public sealed class LspTree : IEquatable<LspTree>
{
    public LspTree(string destination, IReadOnlyDictionary<string, NodeRoute> routes)
    {
        Destination = destination;
        Routes = routes;
    }

    public string Destination { get; }

    /// <summary>By node name; nodes that cannot reach the destination are absent.</summary>
    public IReadOnlyDictionary<string, NodeRoute> Routes { get; }

    /// <summary>Every link on any shortest path from <paramref name="node"/> to the destination.</summary>
    public IEnumerable<string> PrimaryLinksFrom(string node)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([node]);
        while (pending.TryPop(out var at))
        {
            foreach (var hop in Routes.TryGetValue(at, out var route) ? route.NextHops : [])
            {
                if (seen.Add(hop.Link))
                {
                    pending.Push(hop.To);
                }
            }
        }

        return seen;
    }

    /// <summary>Every link any route of this tree depends on.</summary>
    public IReadOnlySet<string> LinksUsed() => Routes.Values.SelectMany(r => r.LinksUsed(this)).ToHashSet(StringComparer.Ordinal);

    public bool Equals(LspTree? other) =>
        other is not null && Destination == other.Destination && Routes.Count == other.Routes.Count
        && Routes.All(r => other.Routes.TryGetValue(r.Key, out var theirs) && r.Value.Equals(theirs));

    public override bool Equals(object? obj) => Equals(obj as LspTree);

    public override int GetHashCode() => HashCode.Combine(Destination, Routes.Count);
}
