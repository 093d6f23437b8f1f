namespace Sdn.Cli.Graph;

/// <summary>A node of the drawn fabric: a core node, an edge, a VM, a host or an external network.</summary>
/// <param name="Id">Unique among nodes and links: "kind:name".</param>
/// <param name="Kind">One of <see cref="FabricGraph.Core"/>, <see cref="FabricGraph.Edge"/>, <see cref="FabricGraph.Vm"/>, <see cref="FabricGraph.Host"/> and <see cref="FabricGraph.External"/>.</param>
/// <param name="Notes">The lines its label has under its name: an external network's interface and the gateway's address there; none for the others.</param>
internal sealed record GraphNode(string Id, string Name, string Kind, IReadOnlyList<string> Notes);
