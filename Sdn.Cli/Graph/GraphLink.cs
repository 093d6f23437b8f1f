namespace Sdn.Cli.Graph;

/// <summary>
/// A line of the drawn fabric: a link between two switches, or the port that attaches a VM or host to its edge. Its
/// ends are node ids; each end's interface names the counters it has on that node (a VM's or host's port is counted
/// by its edge, under the port's name, so its end A has none).
/// </summary>
/// <param name="Id">Unique among nodes and links: "link:name" or "port:name".</param>
internal sealed record GraphLink(string Id, string Name, string Kind, GraphNode A, string AInterface, GraphNode B, string BInterface);
