namespace Sdn.Fabric.Edge.Datapath;

/// <summary>Every way a packet can leave the datapath other than through a port, counted by cause.</summary>
public sealed class DatapathCounters
{
    /// <summary>Frames that could not be parsed.</summary>
    public long Malformed { get; internal set; }

    /// <summary>Packets whose compiled flow sent them nowhere (including table-miss drops).</summary>
    public long NoOutput { get; internal set; }

    /// <summary>Packets dropped because a TTL decrement expired.</summary>
    public long TtlExpired { get; internal set; }

    /// <summary>Packets dropped because a push found no headroom, or a third VLAN tag was asked for.</summary>
    public long PushFailed { get; internal set; }

    /// <summary>Copies a port could not take: too long for it, or with an offload that did not describe the frame.</summary>
    public long Unsendable { get; internal set; }

    /// <summary>Copies sent to a port number nothing is attached to.</summary>
    public long UnknownPort { get; internal set; }

    /// <summary>
    /// Neighbour solicitations an ND responder dropped unanswered: invalid ones (RFC 4861 §7.1.1: a hop limit below
    /// 255, a nonzero code, a bad checksum, one from the unspecified address with a source link-layer option).
    /// </summary>
    public long NdUnanswered { get; internal set; }

    /// <summary>Packets a DHCP responder dropped unanswered: malformed, or not a DISCOVER or REQUEST from a client.</summary>
    public long DhcpUnanswered { get; internal set; }

    /// <summary>Packets port security dropped; each is also counted in its ingress port's <see cref="EdgePortCounters.RxSpoofed"/>.</summary>
    public long PortSecurity { get; internal set; }

    /// <summary>New connections a ct commit dropped because the connection tracker's table was full.</summary>
    public long CtTableFull { get; internal set; }

    /// <summary>New connections a ct commit dropped because their translation found no free port in its range.</summary>
    public long NatPortsExhausted { get; internal set; }

    /// <summary>
    /// Packets dropped because NAT could not rewrite them: a translation asked for a packet that is not IPv4 TCP, UDP or
    /// ICMP echo, or a packet of a translated connection cut too short to rewrite.
    /// </summary>
    public long NatUntranslatable { get; internal set; }

    /// <summary>Packets dropped for recirculating more than <see cref="EdgeDatapath.MaxRecirculations"/> times.</summary>
    public long RecirculationLimit { get; internal set; }

    /// <summary>Packets whose next hop's MAC was not known: each was lost, the first per next hop and second sent as an ARP request for it instead.</summary>
    public long NeighbourUnresolved { get; internal set; }

    /// <summary>
    /// IPv6 neighbour solicitations and advertisements a learn_neighbour dropped unlearned because RFC 4861 §7.1 says to
    /// discard them (a hop limit below 255, a bad checksum, a nonzero code, a zero-length option and the like).
    /// </summary>
    public long NdInvalid { get; internal set; }

    /// <summary>Every count above by the name a counter report gives its reason.</summary>
    public IEnumerable<KeyValuePair<string, long>> ByReason() =>
    [
        new("malformed", Malformed),
        new("no_output", NoOutput),
        new("ttl_expired", TtlExpired),
        new("push_failed", PushFailed),
        new("unsendable", Unsendable),
        new("unknown_port", UnknownPort),
        new("nd_unanswered", NdUnanswered),
        new("dhcp_unanswered", DhcpUnanswered),
        new("port_security", PortSecurity),
        new("ct_table_full", CtTableFull),
        new("nat_ports_exhausted", NatPortsExhausted),
        new("nat_untranslatable", NatUntranslatable),
        new("recirculation_limit", RecirculationLimit),
        new("neighbour_unresolved", NeighbourUnresolved),
        new("nd_invalid", NdInvalid),
    ];
}
