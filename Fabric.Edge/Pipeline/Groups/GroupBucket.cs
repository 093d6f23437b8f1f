namespace Sdn.Fabric.Edge.Pipeline.Groups;

/// <summary>One bucket of a group.</summary>
/// <param name="Id">Names the bucket for select hashing, so a flow's bucket does not depend on the others' positions.</param>
/// <param name="WatchPort">The port whose liveness decides whether the bucket can be used; null for always.</param>
/// <param name="Weight">The select weight; a bucket of weight 0 is never selected.</param>
public sealed record GroupBucket(uint Id, IReadOnlyList<PipelineAction> Actions, uint? WatchPort = null, int Weight = 1);
