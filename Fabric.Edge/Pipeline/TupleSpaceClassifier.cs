using System.Runtime.CompilerServices;
using Sdn.Common.Packets;
using Sdn.Fabric.Edge.Datapath;
using Sdn.Fabric.Edge.Pipeline.Revalidation;

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
/// <para><b>Revalidation.</b> A cached flow that read this table is linked from the entry it matched, from each
/// subtable it probed (under the masked value it probed with) and from <see cref="Visitors"/>. A change retires only
/// the flows it can alter, as Open vSwitch's revalidators do, but found through those links instead of by
/// re-translating the cache: removing or modifying an entry retires the flows that matched it; adding one retires
/// the flows that probed its subtable with its value and matched at a priority not above its own (and checks the
/// flows cached before that subtable existed, which could not probe it). Both look further
/// only when the order of the subtables changes, which can decide ties between equal priorities differently, and
/// when the entry makes a new subtable, which no flow probed yet: then they check the table's visitors one by one.</para>
/// <para><b>Threading.</b> None: the switch that owns the table changes and reads it from one thread.</para>
/// </remarks>
internal sealed class TupleSpaceClassifier
{
    private readonly Dictionary<FlowKey, ClassifierSubtable> _subtablesByMask = [];
    private ClassifierSubtable[] _ordered = [];
    private int _nextSubtableId;

    /// <summary>Every cached flow that looked this table up.</summary>
    public CachedFlowSet Visitors { get; } = new();

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

    /// <summary>
    /// The highest-priority entry admitting <paramref name="key"/>, ORing the bits examined into <paramref name="unwildcard"/>;
    /// <paramref name="probes"/> says which subtables were probed.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TableEntry? Lookup(in FlowKey key, ref FlowKey unwildcard, out SubtableProbes probes)
    {
        TableEntry? best = null;
        var subtables = _ordered;
        var i = 0;
        for (; i < subtables.Length; i++)
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

        probes = new SubtableProbes(subtables, i, _nextSubtableId);
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
        var created = !_subtablesByMask.TryGetValue(mask, out var subtable);
        if (subtable is null)
        {
            subtable = new ClassifierSubtable(mask, _nextSubtableId++);
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

        RetireChangedByInsert(entry, subtable, created, maxBefore);
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
        entry.RetireUsers();
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

        if (subtable.Rules.Count > 0 && subtable.MaxPriority != maxBefore)
        {
            // The subtable now sorts later, so an entry of another subtable may win a tie of equal priority that one
            // of this subtable's entries won before.
            Visitors.RetireWhere(link => MatchedIn(link.Visit, subtable));
        }

        return true;
    }

    /// <summary>
    /// Retires the cached flows the new <paramref name="entry"/> can change: those that visited this table, matched
    /// there at a priority not above the entry's, and have a packet the entry matches. Flows that probed its subtable
    /// are indexed by the value they probed with, so in the common case (an existing subtable whose order stays) the
    /// candidates are exactly the flows whose packets the entry matches. A new subtable was probed by no one, and a
    /// subtable that moves earlier in the order can also win ties it lost before; then every visitor is checked.
    /// </summary>
    private void RetireChangedByInsert(TableEntry entry, ClassifierSubtable subtable, bool created, int maxBefore)
    {
        var priority = entry.Priority;
        var match = entry.Match;
        if (created)
        {
            Visitors.RetireWhere(link => link.VisitPriority <= priority && link.CouldMatch(match));
        }
        else if (subtable.MaxPriority != maxBefore)
        {
            Visitors.RetireWhere(link => (link.VisitPriority <= priority && link.CouldMatch(match))
                || CouldNowWinTie(link, subtable, maxBefore));
        }
        else
        {
            subtable.FindProbedWith(entry.MatchValue)?.RetireWhere(link => link.VisitPriority <= priority);

            // Flows cached before the subtable existed never probed it.
            Visitors.RetireOldestWhere(
                link => link.Visit.Probes.NextSubtableId <= subtable.Id,
                link => link.VisitPriority <= priority && link.CouldMatch(match));
        }
    }

    /// <summary>
    /// Whether the flow must go because <paramref name="subtable"/> now sorts earlier than when its highest priority was
    /// <paramref name="maxBefore"/>. A flow that probed it knows what it found there: it goes if an entry there ties with
    /// the one it matched, and may now come first. A flow that did not may now reach it, and its record would no longer
    /// say which subtables its packets probe, so it goes unless it still stops before.
    /// </summary>
    private static bool CouldNowWinTie(CachedFlowLink link, ClassifierSubtable subtable, int maxBefore)
    {
        ref readonly var visit = ref link.Visit;
        var priority = visit.Priority;
        if (MatchedIn(visit, subtable))
        {
            return false;
        }

        if (!Probed(visit, subtable))
        {
            return priority <= subtable.MaxPriority;
        }

        if (priority > maxBefore)
        {
            return false;
        }

        var masked = visit.WorkingKey.And(subtable.Mask);
        return subtable.Rules.TryGet(masked, masked.Hash64(), out var head) && head.Priority == priority;
    }

    private static bool MatchedIn(in CachedTableVisit visit, ClassifierSubtable subtable) =>
        visit.Entry is { } entry && entry.Match.Mask.EqualTo(subtable.Mask);

    private static bool Probed(in CachedTableVisit visit, ClassifierSubtable subtable)
    {
        var probes = visit.Probes;
        for (var i = 0; i < probes.Count; i++)
        {
            if (ReferenceEquals(probes.Order[i], subtable))
            {
                return true;
            }
        }

        return false;
    }

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
}
