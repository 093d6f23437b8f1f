namespace Sdn.Fabric.Edge.Datapath;

/// <summary>The primitive operations a compiled action list is made of.</summary>
public enum DatapathActionKind : byte
{
    /// <summary>Copy the frame, as it is now, to port <see cref="DatapathAction.Port"/>.</summary>
    Output,

    /// <summary>Hand the frame to the slow path (the controller) with reason <see cref="DatapathAction.Value"/>.</summary>
    Punt,

    /// <summary>Write <see cref="DatapathAction.Value"/> into <see cref="DatapathAction.Field"/>, fixing checksums.</summary>
    SetField,

    /// <summary>
    /// Push an MPLS label stack entry; <see cref="DatapathAction.Value"/> holds the new Ethernet type in its low 16 bits
    /// and the entry's label above them, so a push and the label set after it are one write.
    /// </summary>
    PushMpls,

    /// <summary>Pop the top MPLS entry; <see cref="DatapathAction.Value"/> is the Ethernet type of what follows.</summary>
    PopMpls,

    /// <summary>Push an 802.1Q tag; <see cref="DatapathAction.Value"/> is its TPID.</summary>
    PushVlan,

    PopVlan,

    /// <summary>Decrement the IPv4 TTL or IPv6 hop limit; at expiry the packet is dropped and counted.</summary>
    DecIpTtl,

    /// <summary>Decrement the top MPLS TTL; at expiry the packet is dropped and counted.</summary>
    DecMplsTtl,

    /// <summary>
    /// Write both Ethernet addresses in one go; <see cref="DatapathAction.Value"/> and <see cref="DatapathAction.Port"/>
    /// hold the frame's first 12 bytes as they lie in memory (see <see cref="DatapathAction.EthAddresses"/>).
    /// </summary>
    SetEthAddresses,

    /// <summary>A router's hop: <see cref="SetEthAddresses"/>, then <see cref="DecIpTtl"/>, in one action.</summary>
    RouteHop,

    /// <summary>Turn an ARP request into the reply from MAC <see cref="DatapathAction.Value"/>.</summary>
    ArpReply,

    /// <summary>
    /// Turn a neighbour solicitation into the advertisement from the MAC in <see cref="DatapathAction.Value"/>'s low 48
    /// bits, a router's when <see cref="DatapathAction.NdRouterFlag"/> is set too; one it must not answer is dropped and counted.
    /// </summary>
    NdReply,

    /// <summary>
    /// Turn a DHCP request into the reply that leases <see cref="CompiledFlow.DhcpOffers"/>[<see cref="DatapathAction.Port"/>];
    /// one it must not answer is dropped and counted.
    /// </summary>
    DhcpReply,

    /// <summary>
    /// Drop the packet as port security's, counting it in its ingress port's <see cref="EdgePortCounters.RxSpoofed"/> and
    /// in <see cref="DatapathCounters.PortSecurity"/>: an action, where a plain drop is the absence of one, so that a
    /// cached flow counts every packet it drops.
    /// </summary>
    DropSpoofed,

    /// <summary>Remember the frame so a later <see cref="RestoreFrame"/> can undo what a group bucket did to it.</summary>
    SaveFrame,

    RestoreFrame,

    /// <summary>
    /// Look the packet up in the connection tracker's zone <see cref="DatapathAction.Value"/>, then run, in place of the
    /// rest of this list, the <see cref="CompiledFlow.Branches"/> entry of the ct_state found: the one decision of a
    /// cached flow that is taken per packet.
    /// </summary>
    CtLookup,

    /// <summary>
    /// Add the connection the lookup found new to the tracker, translated as <see cref="DatapathAction.CtTranslation"/>
    /// says when it is set; when the table is full, or the translation has no port left or cannot rewrite the packet,
    /// the packet is dropped and counted.
    /// </summary>
    CtCommit,

    /// <summary>
    /// Rewrite the packet as its connection's translation says (SNAT, DNAT, or undoing either on the way back); one the
    /// translation cannot rewrite is dropped and counted.
    /// </summary>
    CtNat,

    /// <summary>
    /// Parse the frame again, as the actions before left it, and run it through the flow of its new key, in place of
    /// the rest of this list: what follows a NAT rewrite depends on the rewritten fields. The new key has the packet's
    /// in_port, the metadata in <see cref="DatapathAction.Value"/>, the ct_state in bits 8-15 of
    /// <see cref="DatapathAction.Port"/>, reg0 the zone of the looked-up connection's original way, and
    /// <see cref="EdgeDatapath.RecirculationRegister"/> the table to go on in (bits 0-7) plus one. A packet recirculated
    /// <see cref="EdgeDatapath.MaxRecirculations"/> times is dropped and counted.
    /// </summary>
    Recirculate,

    /// <summary>
    /// Run the frame, as the actions before left it, as arriving on port <see cref="DatapathAction.Port"/>: parsed
    /// afresh, from table 0, with nothing of this pass (metadata, registers, ct_state), in place of the rest of this
    /// list. It counts as a recirculation (<see cref="EdgeDatapath.MaxRecirculations"/>).
    /// </summary>
    Loopback,

    /// <summary>Remember the sender of an ARP packet (its IPv4 and MAC addresses) in the <see cref="NeighbourCache"/>, for the ingress port.</summary>
    LearnNeighbour,

    /// <summary>
    /// Address the packet to its next hop beyond port <see cref="DatapathAction.Port"/>: the IPv4 address in the low 32
    /// bits of <see cref="DatapathAction.Value"/>, or the packet's destination when those are 0. Its MAC, when the
    /// <see cref="NeighbourCache"/> holds it, becomes the destination MAC; when not, the frame becomes an ARP request for
    /// it from the frame's source MAC and the IPv4 address in the high 32 bits of <see cref="DatapathAction.Value"/>, and
    /// goes where the packet would have (the packet is dropped, counted as <c>neighbour_unresolved</c>); at most once a
    /// second per next hop, the packets in between dropped and counted alike.
    /// </summary>
    ResolveNeighbour,
}
