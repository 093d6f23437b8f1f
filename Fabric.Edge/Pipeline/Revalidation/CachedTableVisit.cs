using Sdn.Common.Packets;

namespace Sdn.Fabric.Edge.Pipeline.Revalidation;

/// <summary>
/// One table a compiled flow went through: the packet as that table saw it (earlier actions may have rewritten it),
/// the entry it matched there (null when none did), and the subtables its lookup probed before it stopped.
/// </summary>
internal sealed class CachedTableVisit(TupleSpaceClassifier classifier, in FlowKey workingKey, TableEntry? entry, SubtableProbes probes)
{
    private readonly FlowKey _workingKey = workingKey;

    public TupleSpaceClassifier Classifier { get; } = classifier;

    public ref readonly FlowKey WorkingKey => ref _workingKey;

    public TableEntry? Entry { get; } = entry;

    public SubtableProbes Probes { get; } = probes;
}
