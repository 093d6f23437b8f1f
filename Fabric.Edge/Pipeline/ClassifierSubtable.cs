using Sdn.Common.Packets;
using Sdn.Fabric.Edge.Datapath;
using Sdn.Fabric.Edge.Pipeline.Revalidation;

namespace Sdn.Fabric.Edge.Pipeline;

/// <summary>
/// The entries of one <see cref="TupleSpaceClassifier"/> that share a mask, by masked value, and the cached flows
/// that probed it, by the masked value they probed with.
/// </summary>
internal sealed class ClassifierSubtable(FlowKey mask, int id)
{
    private readonly SortedDictionary<int, int> _priorityCounts = [];
    private readonly Dictionary<FlowKey, ProbeSet> _probes = [];

    public FlowKey Mask { get; } = mask;

    /// <summary>Creation order, so subtables of equal priority keep a stable order.</summary>
    public int Id { get; } = id;

    public FlowKeyTable<TableEntry, TableEntryKeys> Rules { get; } = new(16);

    public int MaxPriority { get; private set; } = int.MinValue;

    public void AddPriority(int priority)
    {
        _priorityCounts[priority] = _priorityCounts.GetValueOrDefault(priority) + 1;
        MaxPriority = Math.Max(MaxPriority, priority);
    }

    public void RemovePriority(int priority)
    {
        var remaining = _priorityCounts[priority] - 1;
        if (remaining == 0)
        {
            _priorityCounts.Remove(priority);
            MaxPriority = _priorityCounts.Count == 0 ? int.MinValue : _priorityCounts.Keys.Max();
        }
        else
        {
            _priorityCounts[priority] = remaining;
        }
    }

    /// <summary>The cached flows that probed this subtable with <paramref name="key"/> (under the mask); made when none did yet.</summary>
    public CachedFlowSet ProbedWith(in FlowKey key)
    {
        var masked = key.And(Mask);
        if (!_probes.TryGetValue(masked, out var set))
        {
            set = new ProbeSet(this, masked);
            _probes.Add(masked, set);
        }

        return set;
    }

    /// <summary>The cached flows that probed this subtable with the masked value <paramref name="masked"/>, if any did.</summary>
    public CachedFlowSet? FindProbedWith(in FlowKey masked) => _probes.GetValueOrDefault(masked);

    /// <summary>A set that leaves the index when its last flow does, so the index holds only values cached flows probe.</summary>
    private sealed class ProbeSet(ClassifierSubtable owner, FlowKey masked) : CachedFlowSet
    {
        protected override void OnEmptied() => owner._probes.Remove(masked);
    }
}
