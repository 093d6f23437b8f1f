using Sdn.Common.Packets;
using Sdn.Fabric.Edge.Datapath;

namespace Sdn.Fabric.Edge.Pipeline.Revalidation;

/// <summary>
/// What one translation read: each table visited (the packet as it saw it, the entry matched, the subtables probed),
/// each group looked up, each port whose liveness was asked, and the megaflow mask of the result. Once the flow is
/// cached, the record links it into the <see cref="CachedFlowSet"/> of each of those things, where a change finds it.
/// </summary>
/// <remarks>
/// The record itself is a handle: what it read is kept in the pipeline's <see cref="DependencyStore"/>, in its scratch
/// while the flow is translated and in its arrays once the flow is tracked.
/// </remarks>
internal sealed class FlowDependencyRecord : IFlowDependencies
{
    private readonly DependencyStore _store;
    private DetachedDependencies? _detached;
    private int _slot = DependencyStore.None;

    /// <summary>Starts recording a translation in <paramref name="store"/>'s scratch.</summary>
    public FlowDependencyRecord(DependencyStore store)
    {
        _store = store;
        store.Begin(this);
    }

    public void Visited(TupleSpaceClassifier classifier, in FlowKey workingKey, TableEntry? entry, SubtableProbes probes) =>
        _store.Visited(this, classifier, workingKey, entry, probes);

    public void LookedUpGroup(uint groupId) => _store.LookedUpGroup(this, groupId);

    public void AskedLiveness(uint port) => _store.AskedLiveness(this, port);

    public void Complete(in FlowKey megaflowMask) => _store.Complete(this, megaflowMask);

    public void Track(CompiledFlow flow)
    {
        _slot = _store.Track(this, flow, _detached);
        _detached = null;
    }

    public void Release()
    {
        if (_slot != DependencyStore.None)
        {
            var slot = _slot;
            _slot = DependencyStore.None;
            _store.Release(slot);
        }
    }

    /// <summary>The store's scratch moves on to another translation: from now on the record keeps its own copy.</summary>
    internal void Detach(DetachedDependencies copy) => _detached = copy;
}
