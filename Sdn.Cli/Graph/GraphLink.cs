namespace Sdn.Cli.Graph;

/// <summary>
/// A line of the drawn fabric: a link between two switches, the port that attaches a VM or host to its edge, or the
/// uplink that attaches an external network to its gateway edge. Its ends are node ids; each end's interface names
/// the counters it has on that node (a port or uplink is counted by its edge, under the port's name or the external
/// interface, so its end A has none).
/// </summary>
/// <param name="Id">Unique among nodes and links: "link:name", "port:name" or "uplink:name".</param>
internal sealed record GraphLink(string Id, string Name, string Kind, GraphNode A, string AInterface, GraphNode B, string BInterface);
