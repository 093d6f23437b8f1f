using System.Numerics;

namespace Sdn.Fabric.Edge.Nat;

/// <summary>
/// The ports (or ICMP echo identifiers) one translated address hands out for one protocol: each to one connection at
/// a time, from a fixed range, so no two connections ever share a translated tuple and every reply finds its own.
/// </summary>
/// <remarks>
/// One pool serves every zone that translates to its address: a reply arrives from outside with no zone to tell
/// tenants apart, only the port. A bitmap allocated up front marks the ports taken; a cursor moves on past each one
/// handed out, so a port just freed is not handed out again at once (a late packet of its old connection would meet
/// the new one), and a search reads 64 ports per step. Allocation-free. Not thread-safe: the datapath's thread owns it.
/// </remarks>
public sealed class NatPortPool
{
    /// <summary>The range Linux's masquerading picks source ports from by default.</summary>
    public const ushort DefaultFirst = 32768;

    public const ushort DefaultLast = 60999;

    private readonly ulong[] _taken;
    private int _cursor;

    public NatPortPool(ushort first = DefaultFirst, ushort last = DefaultLast)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(first, last);
        First = first;
        Last = last;
        _taken = new ulong[(Size + 63) / 64];
        // Past the end of the range is never free.
        if (Size % 64 != 0)
        {
            _taken[^1] = ~0UL << (Size % 64);
        }
    }

    public ushort First { get; }

    public ushort Last { get; }

    public int Size => Last - First + 1;

    /// <summary>How many ports are handed out now.</summary>
    public int InUse { get; private set; }

    /// <summary>How many times a port was asked for and none was free.</summary>
    public long Exhausted { get; private set; }

    /// <summary>Hands out the first free port at or after the cursor, wrapping around; false, counted, when every port is taken.</summary>
    public bool TryTake(out ushort port) => TryTake(First, Last, out port);

    /// <summary>
    /// As <see cref="TryTake(out ushort)"/>, from the ports of <paramref name="from"/>-<paramref name="to"/> (within the
    /// pool's range) alone: the cursor is shared, so a window's port just freed is not handed out again at once either.
    /// </summary>
    public bool TryTake(ushort from, ushort to, out ushort port)
    {
        var (low, high) = (Math.Max(from, First) - First, Math.Min(to, Last) - First);
        if (InUse == Size || low > high)
        {
            Exhausted++;
            port = 0;
            return false;
        }

        var start = _cursor >= low && _cursor <= high ? _cursor : low;
        if (!TryFindFree(start, high, out var index) && !TryFindFree(low, start - 1, out index))
        {
            Exhausted++;
            port = 0;
            return false;
        }

        Take(index);
        _cursor = index + 1 == Size ? 0 : index + 1;
        port = (ushort)(First + index);
        return true;
    }

    /// <summary>Hands out <paramref name="port"/> itself when it is in the range and free; the cursor stays, and a miss is not counted.</summary>
    public bool TryTakeExact(ushort port)
    {
        if (port < First || port > Last || IsTaken(port))
        {
            return false;
        }

        Take(port - First);
        return true;
    }

    /// <summary>Gives <paramref name="port"/> back; a port outside the range or not handed out is ignored.</summary>
    public void Return(ushort port)
    {
        if (port < First || port > Last)
        {
            return;
        }

        var index = port - First;
        var bit = 1UL << (index % 64);
        if ((_taken[index / 64] & bit) != 0)
        {
            _taken[index / 64] &= ~bit;
            InUse--;
        }
    }

    /// <summary>Whether <paramref name="port"/> is handed out now.</summary>
    public bool IsTaken(ushort port) =>
        port >= First && port <= Last && (_taken[(port - First) / 64] & (1UL << ((port - First) % 64))) != 0;

    private void Take(int index)
    {
        _taken[index / 64] |= 1UL << (index % 64);
        InUse++;
    }

    /// <summary>The first free index of <paramref name="from"/>-<paramref name="to"/>, reading 64 at a time.</summary>
    private bool TryFindFree(int from, int to, out int index)
    {
        for (var word = from / 64; from <= to && word <= to / 64; word++)
        {
            var free = ~_taken[word];
            if (word == from / 64)
            {
                free &= ~0UL << (from % 64);
            }

            if (word == to / 64 && to % 64 != 63)
            {
                free &= (1UL << ((to % 64) + 1)) - 1;
            }

            if (free != 0)
            {
                index = (word * 64) + BitOperations.TrailingZeroCount(free);
                return true;
            }
        }

        index = -1;
        return false;
    }
}
