namespace Sdn.Fabric.Edge.Pipeline.Revalidation;

/// <summary>
/// The cached flows that depend on one thing (an entry, a subtable probe, a table, a group, a port's liveness):
/// those a change to it may have to retire.
/// </summary>
/// <remarks>
/// An intrusive doubly linked list of <see cref="CachedFlowLink"/>s: a flow joins when it is cached and leaves when it
/// is retired, each in constant time, and a walk costs what the set holds, never what the cache holds. A flow is in a
/// set at most once, so a walk that retires the flow it stands on may go on from the link it took before. Flows join
/// at the front, so the set runs from the most recently cached to the longest cached.
/// </remarks>
internal class CachedFlowSet
{
    private CachedFlowLink? _first;
    private CachedFlowLink? _last;

    public int Count { get; private set; }

    public void Add(CachedFlowLink link)
    {
        link.Next = _first;
        if (_first is not null)
        {
            _first.Previous = link;
        }

        _first = link;
        _last ??= link;
        Count++;
    }

    public void Remove(CachedFlowLink link)
    {
        if (link.Previous is { } previous)
        {
            previous.Next = link.Next;
        }
        else
        {
            _first = link.Next;
        }

        if (link.Next is { } next)
        {
            next.Previous = link.Previous;
        }
        else
        {
            _last = link.Previous;
        }

        link.Previous = null;
        link.Next = null;
        Count--;
        if (_first is null)
        {
            OnEmptied();
        }
    }

    public void RetireAll() => RetireWhere(static _ => true);

    /// <summary>Retires every flow of the set for which <paramref name="affected"/> says the change can alter the decision.</summary>
    public void RetireWhere(Func<CachedFlowLink, bool> affected)
    {
        for (var link = _first; link is not null;)
        {
            var next = link.Next;
            if (affected(link))
            {
                link.Record.RetireFlow();
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
        for (var link = _last; link is not null && older(link);)
        {
            var previous = link.Previous;
            if (affected(link))
            {
                link.Record.RetireFlow();
            }

            link = previous;
        }
    }

    /// <summary>Called when the last flow leaves, for a set that should then stop existing.</summary>
    protected virtual void OnEmptied()
    {
    }
}
