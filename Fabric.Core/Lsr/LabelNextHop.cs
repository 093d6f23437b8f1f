namespace Sdn.Fabric.Core.Lsr;

/// <summary>Where a labelled packet goes: out of <paramref name="Port"/> of the node, carrying <paramref name="OutLabel"/>.</summary>
/// <param name="Port">The index of the node's port (link) to send on.</param>
/// <param name="OutLabel">The label the downstream node allocated for this LSP; ignored by penultimate-hop pop.</param>
public readonly record struct LabelNextHop(int Port, uint OutLabel);
