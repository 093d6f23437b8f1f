namespace Sdn.Fabric.Edge.Datapath;

/// <summary>What a neighbour solicitation or advertisement that passed RFC 4861 §7.1's checks says (see <see cref="NeighbourFrames.TryRead"/>).</summary>
/// <param name="Type">135, a solicitation, or 136, an advertisement.</param>
/// <param name="LinkLayerAddress">The MAC of its source (a solicitation's) or target (an advertisement's) link-layer address option; 0 without one.</param>
public readonly record struct NeighbourDiscoveryMessage(byte Type, UInt128 Source, UInt128 Target, ulong LinkLayerAddress);
