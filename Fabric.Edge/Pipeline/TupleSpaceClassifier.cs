using System.Runtime.CompilerServices;
using Sdn.Common.Packets;
using Sdn.Fabric.Edge.Datapath;

namespace Sdn.Fabric.Edge.Pipeline;

/// <summary>
/// The flow entries of one table, searched by tuple space.
/// </summary>
/// <remarks>
/// <para><b>What.</b> Given a packet's <see cref="FlowKey"/>, find the highest-priority entry whose masked match
/// admits it. Ties between equal priorities that overlap are left undefined by OpenFlow; here the entry found
/// first wins, which is deterministic for a given table contents.</para>
/// <para><b>Basic design.</b> Entries are grouped by mask into subtables (the "tuples"). Inside a subtable
/// every entry uses the same mask, so one probe of a hash map keyed by (key AND mask) finds all candidates
/// at once; entries with the same masked value but different priorities hang off one another, highest
/// first. A lookup costs one AND, one hash and one probe per subtable visited, whatever the entry count.
/// Real tables use few distinct masks (an ACL of a thousand rules typically has a dozen), so this scales
/// to 100K entries with lookups that do not grow with the table.</para>
/// <para><b>Memory.</b> A subtable's slot holds the hash of a masked value and the highest-priority entry
/// filed under it, nothing more: the key it is compared against, on an equal hash, is that entry's own match
/// value (<see cref="TableEntryKeys"/>). A copy of each 128-byte key would double what a large table holds and
/// make its growth the biggest allocation of a flow-mod push.</para>
/// <para><b>Priority ordering and early termination.</b> Subtables are kept sorted by the highest priority
/// they hold. Once a match of priority P is found, every remaining subtable whose maximum is not above P
/// is skipped: none of them could win.</para>
/// <para><b>Un-wildcarding.</b> The caller passes a mask that accumulates every bit the lookup examined: the
/// full mask of each subtable probed, hit or miss. Any packet that agrees with this one on those bits
/// probes the same subtables with the same masked values and so gets the same answer, which is what
/// makes the result safe to cache as a megaflow. Subtables skipped by early termination add nothing, which
/// is why ordering by priority also keeps megaflows wide.</para>
/// <para><b>Versioning.</b> Every change bumps <see cref="Version"/>; a cached decision that read this table
/// records the version and is discarded by the flow cache when it no longer holds.</para>
/// <para><b>Threading.</b> None: the switch that owns the table changes and reads it from one thread.</para>
/// </remarks>
internal sealed class TupleSpaceClassifier(VersionStamp anyChange)
{
    private readonly Dictionary<FlowKey, Subtable> _subtablesByMask = [];
    private Subtable[] _ordered = [];
    private int _nextSubtableId;

    public VersionStamp Version { get; } = new(anyChange);

    public int Count { get; private set; }

    public int SubtableCount => _ordered.Length;

    public IEnumerable<TableEntry> Entries
    {
        get
        {
            foreach (var subtable in _ordered)
            {
                foreach (var head in subtable.Rules.Values)
                {
                    for (var entry = head; entry is not null; entry = entry.NextWithSameMatch)
                    {
                        yield return entry;
                    }
                }
            }
        }
    }

    /// <summary>The highest-priority entry admitting <paramref name="key"/>, ORing the bits examined into <paramref name="unwildcard"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TableEntry? Lookup(in FlowKey key, ref FlowKey unwildcard)
    {
        TableEntry? best = null;
        var subtables = _ordered;
        for (var i = 0; i < subtables.Length; i++)
        {
            var subtable = subtables[i];
            if (best is not null && subtable.MaxPriority <= best.Priority)
            {
                break;
            }

            unwildcard = Or(unwildcard, subtable.Mask);
            var masked = key.And(subtable.Mask);
            if (subtable.Rules.TryGet(masked, masked.Hash64(), out var head) && (best is null || head.Priority > best.Priority))
            {
                best = head;
            }
        }

        return best;
    }

    /// <summary>The entry with exactly this match and priority, if any.</summary>
    public TableEntry? FindStrict(in FlowMatch match, int priority)
    {
        if (!_subtablesByMask.TryGetValue(match.Mask, out var subtable))
        {
            return null;
        }

        var value = match.Value;
        subtable.Rules.TryGet(value, value.Hash64(), out var entry);
        while (entry is not null && entry.Priority != priority)
        {
            entry = entry.NextWithSameMatch;
        }

        return entry;
    }

    public void Insert(TableEntry entry)
    {
        var mask = entry.Match.Mask;
        if (!_subtablesByMask.TryGetValue(mask, out var subtable))
        {
            subtable = new Subtable(mask, _nextSubtableId++);
            _subtablesByMask.Add(mask, subtable);
        }

        var maxBefore = subtable.MaxPriority;

        ref readonly var value = ref entry.MatchValue;
        var hash = value.Hash64();
        subtable.Rules.TryGet(value, hash, out var head);
        if (head is null || entry.Priority > head.Priority)
        {
            entry.NextWithSameMatch = head;
            subtable.Rules.TrySet(value, hash, entry);
        }
        else
        {
            var previous = head;
            while (previous.NextWithSameMatch is { } next && next.Priority >= entry.Priority)
            {
                previous = next;
            }

            entry.NextWithSameMatch = previous.NextWithSameMatch;
            previous.NextWithSameMatch = entry;
        }

        subtable.AddPriority(entry.Priority);
        Count++;
        if (subtable.MaxPriority != maxBefore)
        {
            Reorder();
        }

        Version.Bump();
    }

    public bool Remove(TableEntry entry)
    {
        if (!_subtablesByMask.TryGetValue(entry.Match.Mask, out var subtable))
        {
            return false;
        }

        ref readonly var value = ref entry.MatchValue;
        var hash = value.Hash64();
        if (!subtable.Rules.TryGet(value, hash, out var head))
        {
            return false;
        }

        if (ReferenceEquals(head, entry))
        {
            if (entry.NextWithSameMatch is { } next)
            {
                subtable.Rules.TrySet(value, hash, next);
            }
            else
            {
                subtable.Rules.Remove(value, hash);
            }
        }
        else
        {
            var previous = head;
            while (previous.NextWithSameMatch is { } candidate && !ReferenceEquals(candidate, entry))
            {
                previous = candidate;
            }

            if (previous.NextWithSameMatch is null)
            {
                return false;
            }

            previous.NextWithSameMatch = entry.NextWithSameMatch;
        }

        entry.NextWithSameMatch = null;
        var maxBefore = subtable.MaxPriority;
        subtable.RemovePriority(entry.Priority);
        if (subtable.Rules.Count == 0)
        {
            _subtablesByMask.Remove(subtable.Mask);
        }

        Count--;
        if (subtable.MaxPriority != maxBefore || subtable.Rules.Count == 0)
        {
            Reorder();
        }

        Version.Bump();
        return true;
    }

    /// <summary>Marks the table changed without changing its entries (an entry's instructions were modified).</summary>
    public void Touch() => Version.Bump();

    /// <summary>Sorts the subtables again; needed only when one comes or goes, or its highest priority changes.</summary>
    private void Reorder()
    {
        var ordered = _subtablesByMask.Values.ToArray();
        Array.Sort(ordered, static (a, b) => a.MaxPriority != b.MaxPriority ? b.MaxPriority.CompareTo(a.MaxPriority) : a.Id.CompareTo(b.Id));
        _ordered = ordered;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static FlowKey Or(in FlowKey a, in FlowKey b)
    {
        var result = a;
        var words = result.Words;
        var other = b.ReadOnlyWords;
        for (var i = 0; i < FlowKey.WordCount; i++)
        {
            words[i] |= other[i];
        }

        return result;
    }

    private sealed class Subtable(FlowKey mask, int id)
    {
        private readonly SortedDictionary<int, int> _priorityCounts = [];

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
    }
}
