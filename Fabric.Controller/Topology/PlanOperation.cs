namespace Sdn.Fabric.Controller.Topology;

/// <summary>The call a <see cref="PlanStep"/> makes.</summary>
public enum PlanOperation
{
    Create,
    Delete,

    /// <summary>Sets a link administratively down or up, in place.</summary>
    SetLinkState,
}
