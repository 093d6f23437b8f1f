using Sdn.Common.Packets;
using Sdn.Fabric.Edge.Datapath;
using Sdn.Fabric.Edge.Pipeline.Groups;

namespace Sdn.Fabric.Edge.Pipeline.Revalidation;

/// <summary>
/// What one translation read: each table visited (the packet as it saw it, the entry matched, the subtables probed),
/// each group looked up, each port whose liveness was asked, and the megaflow mask of the result. Once the flow is
/// cached, the record links it into the <see cref="CachedFlowSet"/> of each of those things, where a change finds it.
/// </summary>
internal sealed class FlowDependencyRecord(GroupTable groups, PortLiveness liveness) : IFlowDependencies
{
    // Groups, ports and links are made when first needed: most translations look up no group, and a flow the cache
    // never takes in (a trace, or a miss with the cache off) links nothing.
    private readonly List<CachedTableVisit> _visits = new(4);
    private List<uint>? _groups;
    private List<uint>? _ports;
    private List<CachedFlowLink>? _links;
    private FlowKey _megaflowMask;
    private CompiledFlow? _flow;

    /// <summary>The bits of the input key the decision depends on; every packet that agrees on them gets the same decision.</summary>
    public ref readonly FlowKey MegaflowMask => ref _megaflowMask;

    public void Visited(TupleSpaceClassifier classifier, in FlowKey workingKey, TableEntry? entry, SubtableProbes probes) =>
        _visits.Add(new CachedTableVisit(classifier, workingKey, entry, probes));

    public void LookedUpGroup(uint groupId) => AddOnce(ref _groups, groupId);

    public void AskedLiveness(uint port) => AddOnce(ref _ports, port);

    public void Complete(in FlowKey megaflowMask) => _megaflowMask = megaflowMask;

    public void Track(CompiledFlow flow)
    {
        _flow = flow;
        _links = new List<CachedFlowLink>(_visits.Count * 4);
        foreach (var visit in _visits)
        {
            Link(visit.Classifier.Visitors, visit);
            if (visit.Entry is { } entry)
            {
                Link(entry.Users, visit);
            }

            var probes = visit.Probes;
            for (var i = 0; i < probes.Count; i++)
            {
                Link(probes.Order[i].ProbedWith(visit.WorkingKey), visit);
            }
        }

        foreach (var groupId in _groups ?? [])
        {
            Link(groups.DependentsOf(groupId), visit: null);
        }

        foreach (var port in _ports ?? [])
        {
            Link(liveness.DependentsOf(port), visit: null);
        }
    }

    public void Release()
    {
        foreach (var link in _links ?? [])
        {
            link.Set.Remove(link);
        }

        _links = null;
    }

    public void RetireFlow() => _flow?.Retire();

    /// <summary>
    /// Whether some packet of the flow's megaflow could match <paramref name="match"/> in the table of <paramref name="visit"/>.
    /// Every bit of the megaflow mask is fixed in the packet as each table sees it (an action writes constants, or
    /// values it read and so un-wildcarded), so the two disagree only where both the mask and the match look.
    /// </summary>
    public bool CouldMatch(CachedTableVisit visit, FlowMatch match)
    {
        var known = _megaflowMask.And(match.Mask);
        return visit.WorkingKey.And(known).EqualTo(match.Value.And(known));
    }

    private static void AddOnce(ref List<uint>? list, uint value)
    {
        list ??= [];
        if (!list.Contains(value))
        {
            list.Add(value);
        }
    }

    private void Link(CachedFlowSet set, CachedTableVisit? visit)
    {
        var link = new CachedFlowLink(this, set, visit);
        set.Add(link);
        _links!.Add(link);
    }
}
