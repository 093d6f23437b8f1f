namespace Sdn.Fabric.Edge.Pipeline;

[Flags]
public enum FlowEditOptions
{
    None = 0,

    /// <summary>Send a flow-removed notification when the entry times out or is deleted.</summary>
    SendFlowRemoved = 1,

    /// <summary>Refuse an add that overlaps an entry of the same priority.</summary>
    CheckOverlap = 2,

    /// <summary>Zero the counters of entries an add replaces or a modify changes.</summary>
    ResetCounts = 4,
}
