namespace Sdn.Fabric.Edge.Pipeline;

/// <summary>
/// The flow-mod commands of OpenFlow 1.3. Non-strict commands act on every entry at least as specific as the
/// request's match (priority ignored); strict ones act on the one entry with exactly that match and priority.
/// </summary>
public enum FlowEditCommand
{
    /// <summary>Adds an entry, replacing one with identical match and priority.</summary>
    Add,

    /// <summary>Changes the instructions of the entries the request covers; never adds.</summary>
    Modify,

    ModifyStrict,

    /// <summary>Removes the entries the request covers.</summary>
    Delete,

    DeleteStrict,
}
