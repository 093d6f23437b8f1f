namespace Sdn.Fabric.Edge.Pipeline;

public enum FlowRemovedReason
{
    IdleTimeout,
    HardTimeout,
    Delete,
    GroupDelete,
}
