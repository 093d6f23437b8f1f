namespace Sdn.Fabric.Edge.Nat;

/// <summary>Which end of a packet a NAT rewrite changes.</summary>
public enum NatSide
{
    /// <summary>The source address and port: SNAT on the way out, and undoing a DNAT on the way back.</summary>
    Source,

    /// <summary>The destination address and port: DNAT on the way in, and undoing an SNAT on the way back.</summary>
    Destination,
}
