namespace Sdn.Common.Polling;

/// <summary>
/// When a polling thread (an edge, a core node) whose round found nothing parks on its <see cref="Doorbell"/>: after
/// <see cref="BeforeParking"/> more rounds, yielding its core between them. The rounds keep latency low under traffic
/// without burning a core on an idle node; the yields matter where busy threads outnumber the cores, since the thread
/// whose frames it waits for may be waiting for that core.
/// </summary>
public struct IdleRounds
{
    public const int BeforeParking = 20;

    private int _empty;

    /// <summary>Counts a round that found <paramref name="found"/> frames; true when the thread should park now, having yielded otherwise.</summary>
    public bool ParkAfter(int found)
    {
        if (found > 0)
        {
            _empty = 0;
            return false;
        }

        if (++_empty <= BeforeParking)
        {
            Thread.Yield();
            return false;
        }

        return true;
    }
}
