using Sdn.Contracts;

namespace Sdn.Cli.Graph;

/// <summary>
/// The fabric as a graph: core nodes, edges, VMs, hosts and external networks, joined by links and ports. `sdn graph
/// --dot` and `--mermaid` write it, and the live page draws it with each object's state and rates.
/// </summary>
internal sealed record FabricGraph(IReadOnlyList<GraphNode> Nodes, IReadOnlyList<GraphLink> Links)
{
    public const string Core = "core";
    public const string Edge = "edge";
    public const string Vm = "vm";
    public const string Host = "host";
    public const string External = "external";
    public const string Link = "link";
    public const string Port = "port";

    /// <summary>The line from an external network to its gateway edge: the edge's port on the external interface.</summary>
    public const string Uplink = "uplink";

    public static FabricGraph Of(FabricState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var switches = state.CoreNodes.Select(c => Node(Core, c.Name))
            .Concat(state.Edges.Select(e => Node(Edge, e.Name)))
            .ToDictionary(n => n.Name, StringComparer.Ordinal);
        var endpoints = state.Ports.Select(p => Node(p.Kind == PortKind.Tap ? Host : Vm, p.Name)).ToList();
        var externals = state.Externals.Select(e => new GraphNode($"{External}:{e.Name}", e.Name, External, [e.Interface, e.Ipv4Address])).ToList();
        var links = state.Links.Select(l => new GraphLink($"{Link}:{l.Name}", l.Name, Link, switches[l.A.Node], l.A.Interface, switches[l.B.Node], l.B.Interface));
        var ports = state.Ports.Select((p, i) => new GraphLink($"{Port}:{p.Name}", p.Name, Port, endpoints[i], string.Empty, switches[p.Edge], p.Name));
        var uplinks = state.Externals.Select((e, i) => new GraphLink($"{Uplink}:{e.Name}", e.Name, Uplink, externals[i], string.Empty, switches[e.Edge], e.Interface));
        return new FabricGraph([.. switches.Values, .. endpoints, .. externals], [.. links, .. ports, .. uplinks]);
    }

    private static GraphNode Node(string kind, string name) => new($"{kind}:{name}", name, kind, []);
}
