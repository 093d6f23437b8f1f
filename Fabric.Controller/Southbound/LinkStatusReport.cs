namespace Sdn.Fabric.Controller.Southbound;

/// <summary>A node's agent reported the liveness of one of its links.</summary>
public sealed record LinkStatusReport(string Node, string Interface, bool Up);
