using System.Runtime.InteropServices;
using Sdn.Common.Packets;
using Sdn.Fabric.Edge.Datapath;
using Sdn.Fabric.Edge.Pipeline.Groups;

namespace Sdn.Fabric.Edge.Pipeline.Revalidation;

/// <summary>
/// What the cached flows of one pipeline depend on, in three arrays of structs linked by index: a slot per tracked
/// flow (the flow, its megaflow mask, its first visit and first link), a slot per table visit, and a slot per link of
/// a flow into a <see cref="CachedFlowSet"/>. A retired flow's slots go to free lists and are taken again first.
/// Also the scratch a translation records into until its flow is tracked.
/// </summary>
/// <remarks>
/// <para><b>Why arrays.</b> A cached flow depends on dozens of things: a compiled tenant program's flow visits six
/// tables and joins about thirty sets, and a flow with a ct lookup, whose tables run once per ct_state, several times
/// that. Kept as an object per visit and per link, they would be allocated between one compiled flow and the next, so
/// that the flows the hit path reads lie kilobytes apart, and the collector would have millions of small objects to
/// mark while new flows come and go. In arrays they take a few large objects, apart from the flows, and a retired
/// flow's slots are reused without garbage.</para>
/// <para><b>Fewer links.</b> A lookup made twice in one translation (those before a ct lookup run once per ct_state)
/// is recorded once. A flow joins an entry's set, a group's or a port's once, as those retire all their flows
/// together; it joins a subtable probe's set once too, through the visit of lowest priority, the only one that
/// set's walk (<see cref="TupleSpaceClassifier"/>'s insert: is the new entry above what the flow matched?) looks
/// at. A table's set takes each visit, as its walks ask what the flow saw there.</para>
/// <para><b>The scratch.</b> A translation records its visits, groups and ports here, and its flow is tracked from
/// the scratch when the cache takes it in, right after. A flow not tracked before the next translation begins (a
/// trace, a miss with the cache off) takes a copy of its own, so that it can still be tracked later.</para>
/// <para><b>Threading.</b> None: the pipeline's thread translates, tracks, retires and changes tables.</para>
/// </remarks>
internal sealed class DependencyStore(GroupTable groups, PortLiveness liveness)
{
    /// <summary>The index that stands for no slot.</summary>
    public const int None = -1;

    private readonly List<uint> _scratchGroups = [];
    private readonly List<uint> _scratchPorts = [];
    private FlowSlot[] _flows = new FlowSlot[16];
    private CachedTableVisit[] _visits = new CachedTableVisit[64];
    private LinkSlot[] _links = new LinkSlot[256];
    private int _flowsUsed;
    private int _visitsUsed;
    private int _linksUsed;
    private int _freeFlow = None;
    private int _freeVisit = None;
    private int _freeLink = None;
    private CachedTableVisit[] _scratchVisits = new CachedTableVisit[16];
    private int _scratchVisitCount;
    private FlowKey _scratchMask;
    private FlowDependencyRecord? _recording;

    /// <summary>Flows tracked and not yet released.</summary>
    public int FlowCount { get; private set; }

    /// <summary>Visits held by tracked flows.</summary>
    public int VisitCount { get; private set; }

    /// <summary>Links of tracked flows into sets.</summary>
    public int LinkCount { get; private set; }

    /// <summary>Link slots ever taken: the array's high-water mark, which reuse keeps at what was held at once.</summary>
    public int LinkSlotsUsed => _linksUsed;

    /// <summary>Visit slots ever taken.</summary>
    public int VisitSlotsUsed => _visitsUsed;

    internal ref LinkSlot LinkAt(int link) => ref _links[link];

    /// <summary>Starts the record of a new translation; the one before, if no cache took its flow, takes a copy of its own.</summary>
    public void Begin(FlowDependencyRecord record)
    {
        _recording?.Detach(new DetachedDependencies(
            _scratchVisits.AsSpan(0, _scratchVisitCount).ToArray(), [.. _scratchGroups], [.. _scratchPorts], _scratchMask));
        _recording = record;
        Array.Clear(_scratchVisits, 0, _scratchVisitCount);
        _scratchVisitCount = 0;
        _scratchGroups.Clear();
        _scratchPorts.Clear();
        _scratchMask = default;
    }

    public void Visited(FlowDependencyRecord record, TupleSpaceClassifier classifier, in FlowKey workingKey, TableEntry? entry, SubtableProbes probes)
    {
        RequireRecording(record);
        for (var i = 0; i < _scratchVisitCount; i++)
        {
            if (_scratchVisits[i].SameAs(classifier, workingKey, entry, probes))
            {
                return;
            }
        }

        if (_scratchVisitCount == _scratchVisits.Length)
        {
            Array.Resize(ref _scratchVisits, _scratchVisits.Length * 2);
        }

        _scratchVisits[_scratchVisitCount++] = new CachedTableVisit(classifier, workingKey, entry, probes);
    }

    public void LookedUpGroup(FlowDependencyRecord record, uint groupId)
    {
        RequireRecording(record);
        AddOnce(_scratchGroups, groupId);
    }

    public void AskedLiveness(FlowDependencyRecord record, uint port)
    {
        RequireRecording(record);
        AddOnce(_scratchPorts, port);
    }

    public void Complete(FlowDependencyRecord record, in FlowKey megaflowMask)
    {
        RequireRecording(record);
        _scratchMask = megaflowMask;
    }

    /// <summary>
    /// Links <paramref name="flow"/> into the set of everything its translation read, from the scratch or from
    /// <paramref name="detached"/>; returns its slot.
    /// </summary>
    public int Track(FlowDependencyRecord record, CompiledFlow flow, DetachedDependencies? detached)
    {
        if (detached is null)
        {
            RequireRecording(record);
            _recording = null;
        }

        ReadOnlySpan<CachedTableVisit> visits = detached is null ? _scratchVisits.AsSpan(0, _scratchVisitCount) : detached.Visits;
        var slot = TakeFlow();
        _flows[slot].Flow = flow;
        _flows[slot].MegaflowMask = detached is null ? _scratchMask : detached.MegaflowMask;
        foreach (ref readonly var visit in visits)
        {
            var index = TakeVisit();
            _visits[index] = visit;
            _visits[index].Next = _flows[slot].FirstVisit;
            _flows[slot].FirstVisit = index;
            Link(slot, visit.Classifier!.Visitors, index, LinkKind.EachVisit);
            if (visit.Entry is { } entry)
            {
                Link(slot, entry.Users, index, LinkKind.Once);
            }

            var probes = visit.Probes;
            for (var i = 0; i < probes.Count; i++)
            {
                Link(slot, probes.Order[i].ProbedWith(visit.WorkingKey), index, LinkKind.LowestPriorityVisit);
            }
        }

        foreach (var groupId in detached is null ? CollectionsMarshal.AsSpan(_scratchGroups) : detached.Groups)
        {
            Link(slot, groups.DependentsOf(groupId), None, LinkKind.Once);
        }

        foreach (var port in detached is null ? CollectionsMarshal.AsSpan(_scratchPorts) : detached.Ports)
        {
            Link(slot, liveness.DependentsOf(port), None, LinkKind.Once);
        }

        FlowCount++;
        return slot;
    }

    /// <summary>Takes the flow of <paramref name="slot"/> out of every set and frees its slots.</summary>
    public void Release(int slot)
    {
        for (var link = _flows[slot].FirstLink; link != None;)
        {
            ref var linkSlot = ref _links[link];
            var next = linkSlot.NextOfFlow;
            linkSlot.Set!.Remove(link);
            linkSlot = default;
            linkSlot.NextOfFlow = _freeLink;
            _freeLink = link;
            LinkCount--;
            link = next;
        }

        for (var visit = _flows[slot].FirstVisit; visit != None;)
        {
            ref var visitSlot = ref _visits[visit];
            var next = visitSlot.Next;
            visitSlot.Classifier = null;
            visitSlot.Entry = null;
            visitSlot.Probes = default;
            visitSlot.Next = _freeVisit;
            _freeVisit = visit;
            VisitCount--;
            visit = next;
        }

        _flows[slot] = default;
        _flows[slot].FirstLink = _freeFlow;
        _freeFlow = slot;
        FlowCount--;
    }

    /// <summary>Retires the flow of <paramref name="slot"/>, which releases it.</summary>
    public void Retire(int slot) => _flows[slot].Flow!.Retire();

    public ref readonly CachedTableVisit VisitOfLink(int link)
    {
        var visit = _links[link].Visit;
        if (visit == None)
        {
            throw new InvalidOperationException("the link was made by a group or port, not by a table visit");
        }

        return ref _visits[visit];
    }

    public int VisitPriorityOfLink(int link) => _links[link].Visit is var visit && visit != None ? _visits[visit].Priority : -1;

    /// <summary>
    /// Whether some packet of the megaflow of <paramref name="link"/>'s flow could match <paramref name="match"/> in the
    /// table of the link's visit. Every bit of the megaflow mask is fixed in the packet as each table sees it (an action
    /// writes constants, or values it read and so un-wildcarded), so the two disagree only where both the mask and the
    /// match look.
    /// </summary>
    public bool CouldMatch(int link, FlowMatch match)
    {
        ref readonly var visit = ref VisitOfLink(link);
        var known = _flows[_links[link].Flow].MegaflowMask.And(match.Mask);
        return visit.WorkingKey.And(known).EqualTo(match.Value.And(known));
    }

    private static void AddOnce(List<uint> list, uint value)
    {
        if (!list.Contains(value))
        {
            list.Add(value);
        }
    }

    private void RequireRecording(FlowDependencyRecord record)
    {
        if (!ReferenceEquals(_recording, record))
        {
            throw new InvalidOperationException("a flow's dependencies are recorded while it is translated, and tracked from there or from its own copy");
        }
    }

    /// <summary>Links the flow of <paramref name="slot"/> into <paramref name="set"/>, through <paramref name="visit"/>, as <paramref name="kind"/> says.</summary>
    private void Link(int slot, CachedFlowSet set, int visit, LinkKind kind)
    {
        // A flow's links into a set are made together, at its front: if the flow is in the set, it is first there.
        if (kind != LinkKind.EachVisit && set.First != None && _links[set.First].Flow == slot)
        {
            ref var existing = ref _links[set.First];
            if (kind == LinkKind.LowestPriorityVisit && _visits[visit].Priority < _visits[existing.Visit].Priority)
            {
                existing.Visit = visit;
            }

            return;
        }

        var link = TakeLink();
        ref var linkSlot = ref _links[link];
        linkSlot.Set = set;
        linkSlot.Flow = slot;
        linkSlot.Visit = visit;
        linkSlot.NextOfFlow = _flows[slot].FirstLink;
        _flows[slot].FirstLink = link;
        set.Add(this, link);
        LinkCount++;
    }

    private int TakeFlow()
    {
        int slot;
        if (_freeFlow != None)
        {
            slot = _freeFlow;
            _freeFlow = _flows[slot].FirstLink;
        }
        else
        {
            if (_flowsUsed == _flows.Length)
            {
                Array.Resize(ref _flows, _flows.Length * 2);
            }

            slot = _flowsUsed++;
        }

        _flows[slot].FirstLink = None;
        _flows[slot].FirstVisit = None;
        return slot;
    }

    private int TakeVisit()
    {
        if (_freeVisit != None)
        {
            var free = _freeVisit;
            _freeVisit = _visits[free].Next;
            VisitCount++;
            return free;
        }

        if (_visitsUsed == _visits.Length)
        {
            Array.Resize(ref _visits, _visits.Length * 2);
        }

        VisitCount++;
        return _visitsUsed++;
    }

    private int TakeLink()
    {
        if (_freeLink != None)
        {
            var free = _freeLink;
            _freeLink = _links[free].NextOfFlow;
            return free;
        }

        if (_linksUsed == _links.Length)
        {
            Array.Resize(ref _links, _links.Length * 2);
        }

        return _linksUsed++;
    }

    private enum LinkKind
    {
        /// <summary>A link per visit: the set's walks look at what the flow saw in each.</summary>
        EachVisit,

        /// <summary>One link a flow: the set retires all its flows together.</summary>
        Once,

        /// <summary>One link a flow, through its visit of lowest priority: the set's walk asks only whether some visit's priority is at most a new entry's.</summary>
        LowestPriorityVisit,
    }

    /// <summary>A tracked flow: what to retire, the mask its decision read, and the heads of its visits and links.</summary>
    private struct FlowSlot
    {
        public CompiledFlow? Flow;
        public FlowKey MegaflowMask;
        public int FirstVisit;

        /// <summary>The flow's last link made; for a free slot, the next free slot.</summary>
        public int FirstLink;
    }
}
