using V3Electionpb;

namespace Sdn.Fabric.Controller.Etcd;

/// <summary>What a controller does while it leads: <see cref="LeaderElection"/> calls these, one at a time, in turn.</summary>
public interface ILeaderRole
{
    /// <summary>This controller was elected for <paramref name="term"/>: start compiling and programming.</summary>
    Task LeadAsync(LeaderKey term);

    /// <summary>The term ended (the lease was lost or the controller stops): stop programming at once.</summary>
    Task StepDownAsync();
}
