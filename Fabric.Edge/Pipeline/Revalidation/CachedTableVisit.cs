using Sdn.Common.Packets;

namespace Sdn.Fabric.Edge.Pipeline.Revalidation;

/// <summary>
/// One table a compiled flow went through: the packet as that table saw it (earlier actions may have rewritten it),
/// the entry it matched there (null when none did), and the subtables its lookup probed before it stopped.
/// </summary>
/// <remarks>
/// A struct, kept in the <see cref="DependencyStore"/>'s array of visits (and, while the flow is translated, in its
/// scratch), so that a cached flow's visits are not objects of their own on the heap between the cached flows.
/// </remarks>
internal struct CachedTableVisit(TupleSpaceClassifier classifier, in FlowKey workingKey, TableEntry? entry, SubtableProbes probes)
{
    public FlowKey WorkingKey = workingKey;

    public TupleSpaceClassifier? Classifier = classifier;

    public TableEntry? Entry = entry;

    public SubtableProbes Probes = probes;

    /// <summary>In the store: the flow's next visit, or the next free slot; -1 at the end.</summary>
    internal int Next = -1;

    /// <summary>The priority the flow matched at in this table; -1 where nothing matched.</summary>
    public readonly int Priority => Entry?.Priority ?? -1;

    /// <summary>Whether the two are the same lookup: the same table, entry, probes and packet.</summary>
    public readonly bool SameAs(TupleSpaceClassifier classifier, in FlowKey workingKey, TableEntry? entry, SubtableProbes probes) =>
        ReferenceEquals(Classifier, classifier)
        && ReferenceEquals(Entry, entry)
        && ReferenceEquals(Probes.Order, probes.Order)
        && Probes.Count == probes.Count
        && Probes.NextSubtableId == probes.NextSubtableId
        && WorkingKey.EqualTo(workingKey);
}
