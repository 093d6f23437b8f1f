using System.Net.Sockets;
using Sdn.Contracts;

namespace Sdn.Fabric.Controller.Model;

/// <summary>
/// External networks: the outside, reached through one Linux interface of the gateway edge's machine, with the
/// gateway's own address there and, optionally, the outside router beyond the subnet; and, optionally, the same
/// for IPv6 (NAT66: the gateway translates IPv6 as it does IPv4, it delegates no prefix).
/// </summary>
public sealed class ExternalNetworks : ResourceKind<ExternalNetwork>
{
    /// <summary>A Linux interface name holds at most 15 characters (IFNAMSIZ less its terminator).</summary>
    public const int MaxInterfaceLength = 15;

    /// <summary>Each external network has a conntrack zone of its own, at the top of the 16-bit zone space, above the tenants'.</summary>
    public const int MaxExternalNetworks = 256;

    public override string Kind => "external network";

    public override ObjectTable<ExternalNetwork> Table(ModelState state) => state.Externals;

    public override string NameOf(ExternalNetwork item) => item.Name;

    public override void Admit(ExternalNetwork item, ModelState state)
    {
        ResourceName.Require("edge", "edge", item.Edge, state.Edges.Contains);
        if (!state.Externals.Contains(item.Name) && state.Externals.Count >= MaxExternalNetworks)
        {
            throw ModelException.Precondition($"the fabric has {MaxExternalNetworks} external networks, the most it holds (each has a conntrack zone of its own); delete one first");
        }

        CheckInterface(item.Interface);
        if (state.ExternalsOfEdge.Of(item.Edge).Values.FirstOrDefault(e => e.Interface == item.Interface) is { } other)
        {
            throw ModelException.Exists($"interface '{item.Interface}' of edge '{item.Edge}' is already external network '{other.Name}'", "interface");
        }

        (item.Ipv4Subnet, item.Ipv4Address, item.Ipv4Router) = Side(
            "ipv4", item.Ipv4Subnet, item.Ipv4Address, item.Ipv4Router, AddressFamily.InterNetwork, "198.51.100.0/24");
        if (string.IsNullOrEmpty(item.Ipv6Subnet))
        {
            if (!string.IsNullOrEmpty(item.Ipv6Address) || !string.IsNullOrEmpty(item.Ipv6Router))
            {
                var field = string.IsNullOrEmpty(item.Ipv6Address) ? "ipv6_router" : "ipv6_address";
                throw ModelException.Invalid($"{field} needs an ipv6_subnet, the outside's IPv6 subnet, such as 2001:db8:100::/64", field);
            }

            return;
        }

        (item.Ipv6Subnet, item.Ipv6Address, item.Ipv6Router) = Side(
            "ipv6", item.Ipv6Subnet, item.Ipv6Address, item.Ipv6Router, AddressFamily.InterNetworkV6, "2001:db8:100::/64");
    }

    /// <summary>Checks one address family's side of the outside (its subnet, the gateway's address, the router) and returns it normalised.</summary>
    private static (string Subnet, string Address, string Router) Side(string prefix, string subnetText, string addressText, string routerText, AddressFamily family, string example)
    {
        if (string.IsNullOrEmpty(subnetText))
        {
            throw ModelException.Invalid($"{prefix}_subnet is required, such as {example}", $"{prefix}_subnet");
        }

        var subnet = Subnet.Parse($"{prefix}_subnet", subnetText, family);
        if (string.IsNullOrEmpty(addressText))
        {
            throw ModelException.Invalid($"{prefix}_address is required: the gateway's own address in {subnet}", $"{prefix}_address");
        }

        var address = HostAddress(subnet, $"{prefix}_address", addressText);
        if (string.IsNullOrEmpty(routerText))
        {
            return (subnet.ToString(), address, string.Empty);
        }

        var router = HostAddress(subnet, $"{prefix}_router", routerText);
        return router == address
            ? throw ModelException.Invalid($"{prefix}_router {router} is the gateway's own {prefix}_address; the router is the outside's next hop", $"{prefix}_router")
            : (subnet.ToString(), address, router);
    }

    public override void CheckUnused(ExternalNetwork item, ModelState state) =>
        RefuseWhileUsed(item, "tenant(s)", state.TenantsOfExternal.Of(item.Name).Keys);

    public override void Describe(Event change, ExternalNetwork item) => change.ExternalNetwork = item;

    /// <summary>Checks <paramref name="given"/> is a host address of <paramref name="subnet"/>, and returns it normalised.</summary>
    public static string HostAddress(Subnet subnet, string field, string given)
    {
        var address = Subnet.ParseAddress(field, given, subnet.Family);
        return subnet.Contains(address) && !subnet.IsReserved(address)
            ? address.ToString()
            : throw ModelException.Invalid($"{field} {given} is not a host address of {subnet}", field);
    }

    private static void CheckInterface(string name)
    {
        if (string.IsNullOrEmpty(name))
        {
            throw ModelException.Invalid("interface is required: the Linux interface of the gateway edge's machine that leads outside, such as eth1", "interface");
        }

        if (name.Length > MaxInterfaceLength || name is "." or ".." || name.Any(c => c is '/' or ':' || char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            throw ModelException.Invalid($"interface '{name}' is not a Linux interface name: use 1-{MaxInterfaceLength} characters without '/', ':' or spaces", "interface");
        }
    }
}
