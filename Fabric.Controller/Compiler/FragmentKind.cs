namespace Sdn.Fabric.Controller.Compiler;

/// <summary>What an edge's flow fragment was compiled from, in the order a full compile emits them (see <see cref="FragmentKey"/>).</summary>
public enum FragmentKind
{
    /// <summary>The neighbour table's fixed entries and the uplinks' classify entries.</summary>
    Fixed,

    /// <summary>A local port's classify, port-security, DHCP and egress entries.</summary>
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

    /// <summary>The port of an external network whose gateway edge this is: its classify entry and its ARP answers for the gateway's address and the floating IPs.</summary>
    External,
}
