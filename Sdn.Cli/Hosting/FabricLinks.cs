using Sdn.Contracts;
using Sdn.Fabric.Core.Links;

namespace Sdn.Cli.Hosting;

/// <summary>One in-memory link pair per link of the model, each end named after its node's interface.</summary>
internal sealed class FabricLinks
{
    private readonly Dictionary<(string Node, string Interface), (InMemoryLink End, string Peer)> _ends = [];
    private readonly Dictionary<string, (InMemoryLink A, InMemoryLink B)> _byName = new(StringComparer.Ordinal);

    public FabricLinks(IEnumerable<Link> links)
    {
        foreach (var link in links)
        {
            var (a, b) = InMemoryLink.CreatePair(link.A.Interface, link.B.Interface);
            _ends[(link.A.Node, link.A.Interface)] = (a, link.B.Node);
            _ends[(link.B.Node, link.B.Interface)] = (b, link.A.Node);
            _byName[link.Name] = (a, b);
        }
    }

    /// <summary>The ends on <paramref name="node"/>, in interface order, each with the node at the other end.</summary>
    public IEnumerable<(InMemoryLink End, string Peer)> EndsOf(string node) =>
        _ends.Where(e => e.Key.Node == node).OrderBy(e => e.Key.Interface, StringComparer.Ordinal).Select(e => e.Value);

    /// <summary>The end of a link on <paramref name="node"/>'s <paramref name="iface"/>, if it has one.</summary>
    public InMemoryLink? EndAt(string node, string iface) => _ends.TryGetValue((node, iface), out var end) ? end.End : null;

    /// <summary>Cuts or mends both ends of a link, as pulling or plugging a cable.</summary>
    /// <exception cref="HostingException">There is no such link.</exception>
    public void SetCut(string name, bool cut)
    {
        var (a, b) = Pair(name);
        a.IsForcedDown = cut;
        b.IsForcedDown = cut;
    }

    /// <summary>Whether both ends of the link are cut.</summary>
    /// <exception cref="HostingException">There is no such link.</exception>
    public bool IsCut(string name)
    {
        var (a, b) = Pair(name);
        return a.IsForcedDown && b.IsForcedDown;
    }

    private (InMemoryLink A, InMemoryLink B) Pair(string name) => _byName.TryGetValue(name, out var pair)
        ? pair
        : throw new HostingException($"there is no link '{name}'; the links are: {string.Join(", ", _byName.Keys.Order(StringComparer.Ordinal))}");
}
