namespace Sdn.Cli.Graph;

/// <summary>What the page draws, as the sampler last saw the fabric; each server-sent event carries one.</summary>
/// <param name="Version">The controller's state version.</param>
/// <param name="Error">Why the last sample failed (the controller does not answer, say); empty when it did not. The nodes and links are then the last ones seen.</param>
internal sealed record GraphSnapshot(ulong Version, string Error, IReadOnlyList<LiveNode> Nodes, IReadOnlyList<LiveLink> Links);
