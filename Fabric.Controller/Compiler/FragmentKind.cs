namespace Sdn.Fabric.Controller.Compiler;

/// <summary>What an edge's flow fragment was compiled from, in the order a full compile emits them (see <see cref="FragmentKey"/>).</summary>
public enum FragmentKind
{
    /// <summary>The neighbour table's fixed entries and the uplinks' classify entries.</summary>
    Fixed,

    /// <summary>A local port's classify, port-security, DHCP and egress entries, and its way out through its floating IP.</summary>
    LocalPort,

    /// <summary>ARP and ND answers for one port of a network attached here.</summary>
    Neighbour,

    /// <summary>ARP and ND answers for the gateway of a network attached here.</summary>
    Gateway,

    /// <summary>Forwarding to one port of a network of a tenant hosted here.</summary>
    Forward,

    /// <summary>The tenant router's entries toward one port.</summary>
    Route,

    /// <summary>The connection tracking entries of a tenant hosted here that has a stateful ACL rule.</summary>
    Tracking,

    /// <summary>One ACL rule of a tenant hosted here.</summary>
    Acl,

    /// <summary>
    /// The port of an external network whose gateway edge this is: its classify entry, its ARP answers for the
    /// gateway's address and the floating IPs, what it learns of the outside's MACs, and the replies to the gateway's
    /// address sent back through the tracker.
    /// </summary>
    External,

    /// <summary>
    /// A tenant's way out, on every edge hosting a tenant attached to an external network: its default route toward
    /// the gateway (and, on the gateway edge, the source translation and the labels it arrives under).
    /// </summary>
    Outside,

    /// <summary>
    /// What the gateway edge delivers from outside to one port of a tenant attached to its external network: the
    /// replies its address translation leads back, and for a floating IP the destination translation to the port and
    /// the port's own way out arriving from the core.
    /// </summary>
    Inbound,
}
