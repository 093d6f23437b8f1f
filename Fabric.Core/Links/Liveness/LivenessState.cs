namespace Sdn.Fabric.Core.Links.Liveness;

/// <summary>Session states of RFC 5880 §4.1, with their wire values.</summary>
public enum LivenessState
{
    AdminDown = 0,
    Down = 1,
    Init = 2,
    Up = 3,
}
