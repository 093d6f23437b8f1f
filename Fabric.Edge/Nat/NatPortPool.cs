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
    public bool TryTake(out ushort port)
    {
        if (InUse == Size)
        {
            Exhausted++;
            port = 0;
            return false;
        }

        var word = _cursor / 64;
        var free = ~_taken[word] & (~0UL << (_cursor % 64));
        while (free == 0)
        {
            word = word + 1 == _taken.Length ? 0 : word + 1;
            free = ~_taken[word];
        }

        var index = (word * 64) + BitOperations.TrailingZeroCount(free);
        _taken[word] |= 1UL << (index % 64);
        InUse++;
        _cursor = index + 1 == Size ? 0 : index + 1;
        port = (ushort)(First + index);
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
}
