using Sdn.Contracts;

namespace Sdn.Fabric.Controller.Compiler;

/// <summary>The tables of the edge pipeline the compiler emits, in the order a packet visits them.</summary>
public static class EdgeTables
{
    /// <summary>in_port to network (metadata); uplinks go straight to <see cref="Egress"/>; unknown ports drop.</summary>
    public const uint Classify = 0;

    /// <summary>A port sends only as itself: its MAC, and its addresses; anything else drops, counted as spoofed.</summary>
    public const uint PortSecurity = 1;

    /// <summary>
    /// Answers ARP requests and IPv6 neighbour solicitations for the addresses the controller knows (ports and
    /// gateways); drops other ARP and duplicate address detection, so nothing floods.
    /// </summary>
    public const uint Neighbours = 2;

    /// <summary>
    /// The tenant's allow/deny rules; what no rule matches goes on. A tenant with stateful rules first sends its IP
    /// packets through the connection tracker and back into this table (see <see cref="AclCompiler"/>).
    /// </summary>
    public const uint Acl = 3;

    /// <summary>
    /// The tenant's distributed router: a packet to the router's MAC is rewritten for its destination port
    /// (router MAC as source, the port's MAC as destination, TTL minus one) and moved onto the port's network.
    /// Everything else goes on to <see cref="Forward"/> unrouted.
    /// </summary>
    public const uint Route = 4;

    /// <summary>Destination MAC within the network: a local vNIC, or labels pushed toward the remote edge.</summary>
    public const uint Forward = 5;

    /// <summary>Frames from the core: the service label names the vNIC.</summary>
    public const uint Egress = 6;

    /// <summary>Metadata: the tenant id in the high half (what ACLs match), the network id in the low half.</summary>
    public const ulong TenantMask = 0xFFFF_FFFF_0000_0000;

    public const ulong NetworkMask = 0x0000_0000_FFFF_FFFF;

    public static ulong Metadata(uint tenantId, uint networkId) => ((ulong)tenantId << 32) | networkId;

    /// <summary>Every table by name, with what it does with a packet no entry matches.</summary>
    public static IEnumerable<TableConfig> Configs() =>
    [
        new() { TableId = Classify, Name = "classify", Miss = TableMiss.Drop },
        new() { TableId = PortSecurity, Name = "port-security", Miss = TableMiss.Drop },
        new() { TableId = Neighbours, Name = "neighbours", Miss = TableMiss.NextTable },
        new() { TableId = Acl, Name = "acl", Miss = TableMiss.NextTable },
        new() { TableId = Route, Name = "route", Miss = TableMiss.NextTable },
        new() { TableId = Forward, Name = "forward", Miss = TableMiss.Drop },
        new() { TableId = Egress, Name = "egress", Miss = TableMiss.Drop },
    ];
}
