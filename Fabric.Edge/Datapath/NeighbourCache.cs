namespace Sdn.Fabric.Edge.Datapath;

/// <summary>
/// The MACs of hosts beyond an edge port that the controller does not know (the outside of an external network),
/// learned from the ARP and IPv6 neighbour discovery they send to the port, so the edge can address what it routes to
/// them.
/// </summary>
/// <remarks>
/// A fixed, direct-mapped table, allocated once: a port and address hash to one slot, and a newly learned address
/// takes the slot of whatever hashed there before. IPv4 and IPv6 share it, an IPv4 address held as its IPv4-mapped
/// IPv6 address (::ffff:a.b.c.d, RFC 4291 §2.5.5.2), which no neighbour uses on the wire. An entry is used for
/// <see cref="ReachableFor"/> after the ARP or ND message that taught it; a host that talks to the edge re-validates it
/// long before (Linux probes its neighbours within a minute), and one that stayed silent that long is asked for again,
/// as if never learned, in case another host took its address without telling. Beside each slot it notes when the
/// edge last asked for an unresolved address there (<see cref="TryAsk(uint, UInt128, long, long)"/>), so a stream of
/// packets toward a silent next hop makes one ARP request or neighbour solicitation per interval, not one per packet.
/// Allocation-free; not thread-safe (the datapath's thread owns it).
/// </remarks>
public sealed class NeighbourCache
{
    public const int DefaultCapacity = 1024;

    /// <summary>How long a learned MAC is used without the host's ARP or ND being heard again.</summary>
    public static readonly TimeSpan ReachableFor = TimeSpan.FromMinutes(5);

    private static readonly UInt128 Ipv4Mapped = (UInt128)0xFFFF << 32;

    private readonly Entry[] _learned;
    private readonly Entry[] _asked;
    private readonly ulong[] _macs;
    private readonly int _mask;

    public NeighbourCache(int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        var slots = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)capacity);
        (_learned, _asked, _macs, _mask) = (new Entry[slots], new Entry[slots], new ulong[slots], slots - 1);
    }

    /// <summary>How many times an address was learned (or learned again).</summary>
    public long Learned { get; private set; }

    /// <summary>Remembers that IPv4 <paramref name="address"/>, beyond port <paramref name="port"/>, is at <paramref name="mac"/> as of timestamp <paramref name="now"/>; 0.0.0.0 (an ARP probe's) is not learned.</summary>
    public void Learn(uint port, uint address, ulong mac, long now)
    {
        if (address != 0)
        {
            Learn(port, Mapped(address), mac, now);
        }
    }

    /// <summary>As <see cref="Learn(uint, uint, ulong, long)"/> for an IPv6 address; :: (duplicate address detection's) is not learned.</summary>
    public void Learn(uint port, UInt128 address, ulong mac, long now)
    {
        if (address == UInt128.Zero)
        {
            return;
        }

        var slot = Slot(port, address);
        (_learned[slot], _macs[slot]) = (new Entry(address, port, now), mac);
        Learned++;
    }

    /// <summary>The MAC of IPv4 <paramref name="address"/> beyond port <paramref name="port"/>, when learned less than <paramref name="maxAge"/> before timestamp <paramref name="now"/>.</summary>
    public bool TryResolve(uint port, uint address, long now, long maxAge, out ulong mac) => TryResolve(port, address == 0 ? UInt128.Zero : Mapped(address), now, maxAge, out mac);

    /// <summary>As <see cref="TryResolve(uint, uint, long, long, out ulong)"/> for an IPv6 address.</summary>
    public bool TryResolve(uint port, UInt128 address, long now, long maxAge, out ulong mac)
    {
        var slot = Slot(port, address);
        mac = _macs[slot];
        ref readonly var entry = ref _learned[slot];
        return address != UInt128.Zero && entry.Address == address && entry.Port == port && now - entry.At < maxAge;
    }

    /// <summary>
    /// Whether the edge may ask for unresolved IPv4 <paramref name="address"/> beyond <paramref name="port"/> now (timestamp
    /// <paramref name="now"/>): not when it asked less than <paramref name="interval"/> ago. Noted as asked when it may.
    /// </summary>
    public bool TryAsk(uint port, uint address, long now, long interval) => TryAsk(port, Mapped(address), now, interval);

    /// <summary>As <see cref="TryAsk(uint, uint, long, long)"/> for an IPv6 address.</summary>
    public bool TryAsk(uint port, UInt128 address, long now, long interval)
    {
        var slot = Slot(port, address);
        ref var entry = ref _asked[slot];
        if (entry.Address == address && entry.Port == port && now - entry.At < interval)
        {
            return false;
        }

        entry = new Entry(address, port, now);
        return true;
    }

    private static UInt128 Mapped(uint address) => Ipv4Mapped | address;

    private int Slot(uint port, UInt128 address)
    {
        // An IPv4-mapped address's upper half is the same constant for every IPv4 neighbour; the lower half and the
        // port tell them apart, and the upper half IPv6 prefixes.
        var key = (ulong)address ^ (ulong)(address >> 64) ^ ((ulong)port << 32);
        return (int)((key * 0x9E3779B97F4A7C15) >> 40) & _mask;
    }

    /// <summary>An address beyond a port and when it was learned, or last asked for.</summary>
    private readonly record struct Entry(UInt128 Address, uint Port, long At);
}
