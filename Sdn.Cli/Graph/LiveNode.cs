namespace Sdn.Cli.Graph;

/// <summary>
/// A node on the page: a switch is up while its agent is connected; a VM, host or external network has the state the
/// controller gives it.
/// </summary>
/// <param name="Notes">The lines its label has under its name, as <see cref="GraphNode.Notes"/>.</param>
/// <param name="State">"up", "down", "pending" or "failed".</param>
/// <param name="Reason">Why it is not up; empty when it is.</param>
internal sealed record LiveNode(string Id, string Name, string Kind, IReadOnlyList<string> Notes, string State, string Reason);
