namespace Sdn.Fabric.Edge.Pipeline;

/// <summary>Why a flow-mod or group-mod was refused (the OpenFlow error codes this switch can raise).</summary>
public enum FlowEditError
{
    None,
    BadCommand,
    BadTableId,
    Overlap,
    GotoNotForward,
    UnknownGroup,
    GroupExists,
    BadPriority,
}
