namespace Sdn.Fabric.Controller.Compiler;

/// <summary>The tables of the edge pipeline the compiler emits, in the order a packet visits them.</summary>
public static class EdgeTables
{
    /// <summary>in_port to network (metadata); uplinks go straight to <see cref="Egress"/>; unknown ports drop.</summary>
    public const uint Classify = 0;

    /// <summary>Answers ARP requests for addresses the controller knows; drops other ARP, so nothing floods.</summary>
    public const uint Arp = 1;

    /// <summary>The tenant's stateless allow/deny rules; what no rule matches goes on.</summary>
    public const uint Acl = 2;

    /// <summary>Destination MAC within the network: a local vNIC, or labels pushed toward the remote edge.</summary>
    public const uint Forward = 3;

    /// <summary>Frames from the core: the service label names the vNIC.</summary>
    public const uint Egress = 4;

    /// <summary>Metadata: the tenant id in the high half (what ACLs match), the network id in the low half.</summary>
    public const ulong TenantMask = 0xFFFF_FFFF_0000_0000;

    public const ulong NetworkMask = 0x0000_0000_FFFF_FFFF;

    public static ulong Metadata(uint tenantId, uint networkId) => ((ulong)tenantId << 32) | networkId;
}
