namespace Sdn.Fabric.Edge.Pipeline.Revalidation;

/// <summary>One flow's place in one set, in the <see cref="DependencyStore"/>'s array of links.</summary>
internal struct LinkSlot
{
    public CachedFlowSet? Set;

    /// <summary>The flow's slot in the store.</summary>
    public int Flow;

    /// <summary>The visit that made the link; <see cref="DependencyStore.None"/> for a group's or a port's.</summary>
    public int Visit;

    public int Previous;

    public int Next;

    /// <summary>The flow's next link, in any set; for a free slot, the next free slot.</summary>
    public int NextOfFlow;
}
