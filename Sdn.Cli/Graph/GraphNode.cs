namespace Sdn.Cli.Graph;

/// <summary>A node of the drawn fabric: a core node, an edge, a VM or a host.</summary>
/// <param name="Id">Unique among nodes and links: "kind:name".</param>
/// <param name="Kind">One of <see cref="FabricGraph.Core"/>, <see cref="FabricGraph.Edge"/>, <see cref="FabricGraph.Vm"/> and <see cref="FabricGraph.Host"/>.</param>
internal sealed record GraphNode(string Id, string Name, string Kind);
