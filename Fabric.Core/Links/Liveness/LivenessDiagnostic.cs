namespace Sdn.Fabric.Core.Links.Liveness;

/// <summary>Why a session last left Up, with the wire values of RFC 5880 §4.1 (those this implementation sets).</summary>
public enum LivenessDiagnostic
{
    None = 0,
    ControlDetectionTimeExpired = 1,
    NeighborSignaledSessionDown = 3,
}
