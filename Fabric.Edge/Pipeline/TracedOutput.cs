namespace Sdn.Fabric.Edge.Pipeline;

/// <summary>One copy of a traced packet leaving the switch: the port, and the MPLS labels pushed on that copy, outermost first.</summary>
public sealed record TracedOutput(uint Port, IReadOnlyList<uint> PushedLabels);
