namespace Sdn.Fabric.Edge.Pipeline.Revalidation;

/// <summary>
/// One cached flow's place in one <see cref="CachedFlowSet"/>, as a walk of the set sees it: a slot of the
/// <see cref="DependencyStore"/>'s array of links, with the table visit that put it there, if any.
/// </summary>
internal readonly struct CachedFlowLink(DependencyStore store, int index)
{
    /// <summary>For the sets of a table and its subtables' probes: what the flow saw in that table.</summary>
    public ref readonly CachedTableVisit Visit => ref store.VisitOfLink(index);

    /// <summary>The priority the flow matched at in the table of <see cref="Visit"/>; -1 where nothing matched or there is no visit.</summary>
    public int VisitPriority => store.VisitPriorityOfLink(index);

    /// <summary>
    /// Whether some packet of the flow's megaflow could match <paramref name="match"/> in the table of <see cref="Visit"/>.
    /// </summary>
    public bool CouldMatch(FlowMatch match) => store.CouldMatch(index, match);
}
