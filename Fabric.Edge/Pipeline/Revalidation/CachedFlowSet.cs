namespace Sdn.Fabric.Edge.Pipeline.Revalidation;

/// <summary>
/// The cached flows that depend on one thing (an entry, a subtable probe, a table, a group, a port's liveness):
/// those a change to it may have to retire.
/// </summary>
/// <remarks>
/// <para>A doubly linked list threaded through the <see cref="DependencyStore"/>'s array of links by index: a flow
/// joins when it is cached and leaves when it is retired, each in constant time, and a walk costs what the set holds,
/// never what the cache holds. Flows join at the front, so the set runs from the most recently cached to the longest
/// cached. The set learns its store from the first link it takes; a set only ever holds the links of one pipeline.</para>
/// <para>A flow that went through the same table more than once (once per ct_state a lookup can give) may be in a
/// set more than once, but its links there are always next to each other: a flow adds all its links in one go, at the
/// front, and leaves with all of them. A walk takes each flow's run of links as one: it retires the flow if any of
/// them is affected, and goes on from the link after the run, which retiring the flow does not remove.</para>
/// </remarks>
internal class CachedFlowSet
{
    private DependencyStore? _store;
    private int _first = DependencyStore.None;
    private int _last = DependencyStore.None;

    public int Count { get; private set; }

    /// <summary>The most recently added link; <see cref="DependencyStore.None"/> when the set is empty.</summary>
    internal int First => _first;

    /// <summary>Puts <paramref name="link"/>, a slot of <paramref name="store"/>'s links, at the front.</summary>
    internal void Add(DependencyStore store, int link)
    {
        if (_store is null)
        {
            _store = store;
        }
        else if (!ReferenceEquals(_store, store))
        {
            throw new InvalidOperationException("a set of cached flows holds the links of one pipeline only");
        }

        ref var slot = ref store.LinkAt(link);
        slot.Previous = DependencyStore.None;
        slot.Next = _first;
        if (_first != DependencyStore.None)
        {
            store.LinkAt(_first).Previous = link;
        }
        else
        {
            _last = link;
        }

        _first = link;
        Count++;
    }

    /// <summary>Takes <paramref name="link"/> out; the store frees its slot.</summary>
    internal void Remove(int link)
    {
        var store = _store!;
        ref var slot = ref store.LinkAt(link);
        var (previous, next) = (slot.Previous, slot.Next);
        if (previous != DependencyStore.None)
        {
            store.LinkAt(previous).Next = next;
        }
        else
        {
            _first = next;
        }

        if (next != DependencyStore.None)
        {
            store.LinkAt(next).Previous = previous;
        }
        else
        {
            _last = previous;
        }

        slot.Previous = DependencyStore.None;
        slot.Next = DependencyStore.None;
        Count--;
        if (_first == DependencyStore.None)
        {
            OnEmptied();
        }
    }

    public void RetireAll() => RetireWhere(static _ => true);

    /// <summary>Retires every flow of the set for which <paramref name="affected"/> says the change can alter the decision.</summary>
    public void RetireWhere(Func<CachedFlowLink, bool> affected)
    {
        var store = _store;
        if (store is null)
        {
            return;
        }

        for (var link = _first; link != DependencyStore.None;)
        {
            var flow = store.LinkAt(link).Flow;
            var next = AfterRun(store, link, flow);
            for (var candidate = link; candidate != next; candidate = store.LinkAt(candidate).Next)
            {
                if (affected(new CachedFlowLink(store, candidate)))
                {
                    store.Retire(flow);
                    break;
                }
            }

            link = next;
        }
    }

    /// <summary>
    /// As <see cref="RetireWhere"/>, over the longest-cached flows only: from the oldest on, while
    /// <paramref name="older"/> holds.
    /// </summary>
    public void RetireOldestWhere(Func<CachedFlowLink, bool> older, Func<CachedFlowLink, bool> affected)
    {
        var store = _store;
        if (store is null)
        {
            return;
        }

        for (var link = _last; link != DependencyStore.None;)
        {
            var flow = store.LinkAt(link).Flow;
            var before = BeforeRun(store, link, flow);
            for (var candidate = link; candidate != before; candidate = store.LinkAt(candidate).Previous)
            {
                var view = new CachedFlowLink(store, candidate);
                if (!older(view))
                {
                    return;
                }

                if (affected(view))
                {
                    store.Retire(flow);
                    break;
                }
            }

            link = before;
        }
    }

    /// <summary>Called when the last flow leaves, for a set that should then stop existing.</summary>
    protected virtual void OnEmptied()
    {
    }

    /// <summary>The first link after <paramref name="link"/> that is not <paramref name="flow"/>'s: where a walk goes on.</summary>
    private static int AfterRun(DependencyStore store, int link, int flow)
    {
        var next = store.LinkAt(link).Next;
        while (next != DependencyStore.None && store.LinkAt(next).Flow == flow)
        {
            next = store.LinkAt(next).Next;
        }

        return next;
    }

    /// <summary>The first link before <paramref name="link"/> that is not <paramref name="flow"/>'s: where a walk from the oldest goes on.</summary>
    private static int BeforeRun(DependencyStore store, int link, int flow)
    {
        var previous = store.LinkAt(link).Previous;
        while (previous != DependencyStore.None && store.LinkAt(previous).Flow == flow)
        {
            previous = store.LinkAt(previous).Previous;
        }

        return previous;
    }
}
