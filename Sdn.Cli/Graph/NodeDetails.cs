namespace Sdn.Cli.Graph;

/// <summary>What the page shows for a clicked node.</summary>
/// <param name="Counters">Its counters as text tables.</param>
/// <param name="Flows">An edge's flow table as `sdn flows` prints it; empty for other nodes.</param>
internal sealed record NodeDetails(string Name, string Kind, string Counters, string Flows);
