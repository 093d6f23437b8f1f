namespace Sdn.Vmm.Guests;

/// <summary>The application a guest runs, as written into the boot-info page.</summary>
public enum GuestApp
{
    /// <summary>A user-supplied image; the parameters mean whatever it wants.</summary>
    User = 0,

    /// <summary>Replies to ARP requests, ICMP and ICMPv6 echo requests and UDP datagrams for its addresses.</summary>
    Echo = 1,

    /// <summary>Resolves the next hop to a target by ARP, then sends ICMP echo requests and reports each RTT.</summary>
    Ping = 2,

    /// <summary>Sends numbered UDP frames of a given size at a given rate.</summary>
    Pktgen = 3,

    /// <summary>Counts numbered UDP frames and reports loss and reordering.</summary>
    Sink = 4,
}
