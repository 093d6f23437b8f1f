using Sdn.Contracts;

namespace Sdn.Cli.Graph;

/// <summary>
/// The fabric as a graph: core nodes, edges, VMs and hosts, joined by links and ports. `sdn graph --dot` and
/// `--mermaid` write it, and the live page draws it with each object's state and rates.
/// </summary>
internal sealed record FabricGraph(IReadOnlyList<GraphNode> Nodes, IReadOnlyList<GraphLink> Links)
{
    public const string Core = "core";
    public const string Edge = "edge";
    public const string Vm = "vm";
    public const string Host = "host";
    public const string Link = "link";
    public const string Port = "port";

    public static FabricGraph Of(FabricState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var switches = state.CoreNodes.Select(c => Node(Core, c.Name))
            .Concat(state.Edges.Select(e => Node(Edge, e.Name)))
            .ToDictionary(n => n.Name, StringComparer.Ordinal);
        var endpoints = state.Ports.Select(p => Node(p.Kind == PortKind.Tap ? Host : Vm, p.Name)).ToList();
        var links = state.Links.Select(l => new GraphLink($"{Link}:{l.Name}", l.Name, Link, switches[l.A.Node], l.A.Interface, switches[l.B.Node], l.B.Interface));
        var ports = state.Ports.Select((p, i) => new GraphLink($"{Port}:{p.Name}", p.Name, Port, endpoints[i], string.Empty, switches[p.Edge], p.Name));
        return new FabricGraph([.. switches.Values, .. endpoints], [.. links, .. ports]);
    }

    private static GraphNode Node(string kind, string name) => new($"{kind}:{name}", name, kind);
}
