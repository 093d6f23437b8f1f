using System.Net.Sockets;
using Sdn.Contracts;

namespace Sdn.Fabric.Controller.Model;

/// <summary>
/// External networks: the outside, reached through one Linux interface of the gateway edge's machine, with the
/// gateway's own address there and, optionally, the outside router beyond the subnet.
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

        if (string.IsNullOrEmpty(item.Ipv4Subnet))
        {
            throw ModelException.Invalid("ipv4_subnet is required, such as 198.51.100.0/24", "ipv4_subnet");
        }

        var subnet = Subnet.Parse("ipv4_subnet", item.Ipv4Subnet, AddressFamily.InterNetwork);
        item.Ipv4Subnet = subnet.ToString();
        if (string.IsNullOrEmpty(item.Ipv4Address))
        {
            throw ModelException.Invalid($"ipv4_address is required: the gateway's own address in {subnet}", "ipv4_address");
        }

        item.Ipv4Address = HostAddress(subnet, "ipv4_address", item.Ipv4Address);
        if (!string.IsNullOrEmpty(item.Ipv4Router))
        {
            item.Ipv4Router = HostAddress(subnet, "ipv4_router", item.Ipv4Router);
            if (item.Ipv4Router == item.Ipv4Address)
            {
                throw ModelException.Invalid($"ipv4_router {item.Ipv4Router} is the gateway's own ipv4_address; the router is the outside's next hop", "ipv4_router");
            }
        }
    }

    public override void CheckUnused(ExternalNetwork item, ModelState state) =>
        RefuseWhileUsed(item, "tenant(s)", state.TenantsOfExternal.Of(item.Name).Keys);

    public override void Describe(Event change, ExternalNetwork item) => change.ExternalNetwork = item;

    /// <summary>Checks <paramref name="given"/> is a host address of <paramref name="subnet"/>, and returns it normalised.</summary>
    public static string HostAddress(Subnet subnet, string field, string given)
    {
        var address = Subnet.ParseAddress(field, given, AddressFamily.InterNetwork);
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
