namespace Sdn.Fabric.Edge.Datapath;

/// <summary>
/// The MACs of hosts beyond an edge port that the controller does not know (the outside of an external network),
/// learned from the ARP they send to the port, so the edge can address what it routes to them.
/// </summary>
/// <remarks>
/// A fixed, direct-mapped table, allocated once: a port and IPv4 address hash to one slot, and a newly learned address
/// takes the slot of whatever hashed there before. An entry is used for <see cref="ReachableFor"/> after the ARP that
/// taught it; a host that talks to the edge re-validates it long before (Linux probes its neighbours within a minute),
/// and one that stayed silent that long is asked for again, as if never learned, in case another host took its address
/// without telling. Beside each
/// slot it notes when the edge last asked for an unresolved address there (<see cref="TryAsk"/>), so a stream of
/// packets toward a silent next hop makes one ARP request per interval, not one per packet. Allocation-free; not
/// thread-safe (the datapath's thread owns it).
/// </remarks>
public sealed class NeighbourCache
{
    public const int DefaultCapacity = 1024;

    /// <summary>How long a learned MAC is used without the host's ARP being heard again.</summary>
    public static readonly TimeSpan ReachableFor = TimeSpan.FromMinutes(5);

    private readonly ulong[] _keys;
    private readonly ulong[] _macs;
    private readonly long[] _learnedAt;
    private readonly ulong[] _askedKeys;
    private readonly long[] _askedAt;
    private readonly int _mask;

    public NeighbourCache(int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        var slots = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)capacity);
        (_keys, _macs, _learnedAt, _mask) = (new ulong[slots], new ulong[slots], new long[slots], slots - 1);
        (_askedKeys, _askedAt) = (new ulong[slots], new long[slots]);
    }

    /// <summary>How many times an address was learned (or learned again).</summary>
    public long Learned { get; private set; }

    /// <summary>Remembers that <paramref name="address"/>, beyond port <paramref name="port"/>, is at <paramref name="mac"/> as of timestamp <paramref name="now"/>; 0.0.0.0 (an ARP probe's) is not learned.</summary>
    public void Learn(uint port, uint address, ulong mac, long now)
    {
        if (address == 0)
        {
            return;
        }

        var key = Key(port, address);
        var slot = Slot(key);
        (_keys[slot], _macs[slot], _learnedAt[slot]) = (key, mac, now);
        Learned++;
    }

    /// <summary>The MAC of <paramref name="address"/> beyond port <paramref name="port"/>, when learned less than <paramref name="maxAge"/> before timestamp <paramref name="now"/>.</summary>
    public bool TryResolve(uint port, uint address, long now, long maxAge, out ulong mac)
    {
        var key = Key(port, address);
        var slot = Slot(key);
        mac = _macs[slot];
        return address != 0 && _keys[slot] == key && now - _learnedAt[slot] < maxAge;
    }

    /// <summary>
    /// Whether the edge may ask for unresolved <paramref name="address"/> beyond <paramref name="port"/> now (timestamp
    /// <paramref name="now"/>): not when it asked less than <paramref name="interval"/> ago. Noted as asked when it may.
    /// </summary>
    public bool TryAsk(uint port, uint address, long now, long interval)
    {
        var key = Key(port, address);
        var slot = Slot(key);
        if (_askedKeys[slot] == key && now - _askedAt[slot] < interval)
        {
            return false;
        }

        (_askedKeys[slot], _askedAt[slot]) = (key, now);
        return true;
    }

    private static ulong Key(uint port, uint address) => ((ulong)port << 32) | address;

    private int Slot(ulong key) => (int)((key * 0x9E3779B97F4A7C15) >> 40) & _mask;
}
