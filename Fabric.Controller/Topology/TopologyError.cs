namespace Sdn.Fabric.Controller.Topology;

/// <summary>One problem in a topology file, at the line and column where it is.</summary>
public sealed record TopologyError(string File, int Line, int Column, string Message)
{
    public override string ToString() => $"{File}:{Line}:{Column}: {Message}";
}
