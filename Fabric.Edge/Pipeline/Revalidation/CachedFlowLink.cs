namespace Sdn.Fabric.Edge.Pipeline.Revalidation;

/// <summary>One cached flow's place in one <see cref="CachedFlowSet"/>, with the table visit that put it there, if any.</summary>
internal sealed class CachedFlowLink(FlowDependencyRecord record, CachedFlowSet set, CachedTableVisit? visit)
{
    public FlowDependencyRecord Record { get; } = record;

    public CachedFlowSet Set { get; } = set;

    /// <summary>For the sets of a table and its subtables' probes: what the flow saw in that table.</summary>
    public CachedTableVisit? Visit { get; } = visit;

    public CachedFlowLink? Previous { get; set; }

    public CachedFlowLink? Next { get; set; }

    /// <summary>The priority the flow matched at in the table of <see cref="Visit"/>; -1 where nothing matched.</summary>
    public int VisitPriority => Visit?.Entry?.Priority ?? -1;
}
