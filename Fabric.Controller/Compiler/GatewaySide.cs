using Sdn.Contracts;

namespace Sdn.Fabric.Controller.Compiler;

/// <summary>
/// One address family's side of an external network, as <see cref="GatewayCompiler"/> compiles it: the outside's
/// subnet, the gateway's own address and the router for that family, and where a packet, a port and a network of that
/// family keep their addresses. IPv4 always; IPv6 when the external network has an IPv6 side, translated as IPv4 is
/// (NAT66, as OVN's gateway routers do it: the tenants' own IPv6 addresses never reach the outside, and no prefix is
/// delegated or routed to them).
/// </summary>
public sealed record GatewaySide(ExternalNetwork External, bool IsIpv6)
{
    public string Subnet => IsIpv6 ? External.Ipv6Subnet : External.Ipv4Subnet;

    /// <summary>The gateway's own address on this side: what outbound connections are translated to.</summary>
    public string Address => IsIpv6 ? External.Ipv6Address : External.Ipv4Address;

    /// <summary>The outside router for destinations beyond <see cref="Subnet"/>; empty when there is none.</summary>
    public string Router => IsIpv6 ? External.Ipv6Router : External.Ipv4Router;

    public ushort EthType => IsIpv6 ? ProgramMessages.EthIpv6 : ProgramMessages.EthIpv4;

    public Field SourceField => IsIpv6 ? Field.Ipv6Src : Field.Ipv4Src;

    public Field DestinationField => IsIpv6 ? Field.Ipv6Dst : Field.Ipv4Dst;

    /// <summary>
    /// The ways out: straight to a destination on <see cref="Subnet"/> (false) and, with a router, through the router to
    /// anything beyond (true); each has a label of its own (see <see cref="CompiledFabric.OutsideKey"/>).
    /// </summary>
    public IEnumerable<bool> Exits => Router.Length > 0 ? [false, true] : [false];

    /// <summary>The sides of <paramref name="external"/>: IPv4, then IPv6 when it has one.</summary>
    public static IEnumerable<GatewaySide> Of(ExternalNetwork external)
    {
        ArgumentNullException.ThrowIfNull(external);
        return external.Ipv6Subnet.Length > 0 ? [new(external, false), new(external, true)] : [new(external, false)];
    }

    /// <summary><paramref name="port"/>'s own address of this family; empty when it has none.</summary>
    public string AddressOf(Port port) => IsIpv6 ? port.Ipv6 : port.Ipv4;

    /// <summary><paramref name="port"/>'s floating IP of this family; empty when it has none.</summary>
    public string FloatingOf(Port port) => IsIpv6 ? port.FloatingIpv6 : port.FloatingIpv4;

    /// <summary><paramref name="network"/>'s subnet of this family; empty when it has none.</summary>
    public string SubnetOf(Network network) => IsIpv6 ? network.Ipv6Subnet : network.Ipv4Subnet;
}
