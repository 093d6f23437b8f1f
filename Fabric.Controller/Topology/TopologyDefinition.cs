using System.Net;
using System.Net.NetworkInformation;

namespace Sdn.Fabric.Controller.Topology;

/// <summary>A whole topology as its YAML file describes it, after validation.</summary>
public sealed record TopologyDefinition(
    string Name,
    ControllerDefinition Controller,
    IReadOnlyList<NodeDefinition> CoreNodes,
    IReadOnlyList<NodeDefinition> Edges,
    IReadOnlyList<LinkDefinition> Links,
    IReadOnlyList<TenantDefinition> Tenants,
    IReadOnlyList<VmDefinition> Vms,
    IReadOnlyList<HostDefinition> Hosts,
    IReadOnlyList<AclDefinition> Acls);

/// <param name="Listen">The address the controller's gRPC server listens on.</param>
public sealed record ControllerDefinition(IPEndPoint Listen);

/// <summary>An edge switch or a core node.</summary>
public sealed record NodeDefinition(string Name);

/// <summary>A point-to-point link between two nodes.</summary>
public sealed record LinkDefinition(string Name, string From, string To, LinkKind Kind, int Cost, ImpairmentDefinition? Impairment);

public enum LinkKind
{
    /// <summary>An in-memory link inside one process.</summary>
    Memory,

    /// <summary>MPLS-in-UDP over the loopback network (RFC 7510).</summary>
    Udp,
}

/// <summary>Seeded impairment on a link, for experiments and tests.</summary>
public sealed record ImpairmentDefinition(double Loss, TimeSpan Delay, double Reorder, int Seed);

public sealed record TenantDefinition(string Name, IReadOnlyList<NetworkDefinition> Networks);

/// <summary>An L2 segment of a tenant with its IPv4 subnet.</summary>
/// <param name="Name">"tenant/network", the name VMs and hosts refer to it by.</param>
public sealed record NetworkDefinition(string Name, string Tenant, IPNetwork Subnet, IPAddress Gateway);

/// <summary>A micro-VM with one vNIC.</summary>
public sealed record VmDefinition(
    string Name,
    string Edge,
    string Network,
    IPAddress Ip,
    PhysicalAddress? Mac,
    string App,
    IReadOnlyDictionary<string, string> Parameters,
    int MemoryMib,
    int Vcpus);

/// <summary>A Linux network namespace attached to an edge through a TAP port.</summary>
public sealed record HostDefinition(string Name, string Edge, string Network, IPAddress Ip, PhysicalAddress? Mac, IReadOnlyList<RouteDefinition> Routes);

public sealed record RouteDefinition(IPNetwork To, IPAddress Via);

/// <summary>A stateless allow or deny rule inside one tenant.</summary>
public sealed record AclDefinition(
    string Tenant,
    int Priority,
    AclRuleAction Action,
    IPNetwork? Source,
    IPNetwork? Destination,
    AclProtocol Protocol,
    L4PortRange? Ports);

public enum AclRuleAction
{
    Allow,
    Deny,
}

public enum AclProtocol
{
    Any,
    Icmp,
    Tcp,
    Udp,
}

public readonly record struct L4PortRange(ushort First, ushort Last);
