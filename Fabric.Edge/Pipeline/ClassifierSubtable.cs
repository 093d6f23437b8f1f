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
    private readonly FlowKeyTable<ProbeSet, ProbeSetKeys> _probes = new(8);

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

    /// <summary>
    /// The cached flows that probed this subtable with <paramref name="key"/> (under the mask); made when none did yet.
    /// Each flow is there once, through its visit of lowest priority: the set is only asked which of its flows matched
    /// at or below a new entry's priority.
    /// </summary>
    public CachedFlowSet ProbedWith(in FlowKey key)
    {
        var masked = key.And(Mask);
        var hash = masked.Hash64();
        if (!_probes.TryGet(masked, hash, out var set))
        {
            set = new ProbeSet(this, masked, hash);
            _probes.TrySet(masked, hash, set);
        }

        return set;
    }

    /// <summary>The cached flows that probed this subtable with the masked value <paramref name="masked"/>, if any did.</summary>
    public CachedFlowSet? FindProbedWith(in FlowKey masked) => _probes.TryGet(masked, masked.Hash64(), out var set) ? set : null;

    /// <summary>
    /// A set that leaves the index when its last flow does, so the index holds only values cached flows probe. It holds
    /// its masked value, which the index reads instead of keeping a copy, and the value's hash, to leave without
    /// hashing it again.
    /// </summary>
    private sealed class ProbeSet(ClassifierSubtable owner, in FlowKey masked, ulong hash) : CachedFlowSet
    {
        private readonly FlowKey _masked = masked;

        public ref readonly FlowKey Masked => ref _masked;

        protected override void OnEmptied() => owner._probes.Remove(_masked, hash);
    }

    /// <summary>Where the probe index finds a slot's key: in the set it holds.</summary>
    private struct ProbeSetKeys : IFlowKeyStore
    {
        public readonly void Allocate(int size)
        {
        }

        public readonly ref readonly FlowKey KeyAt(int slot, object value) => ref ((ProbeSet)value).Masked;

        public readonly void Store(int slot, in FlowKey key)
        {
        }

        public readonly void Move(int fromSlot, int toSlot)
        {
        }
    }
}
