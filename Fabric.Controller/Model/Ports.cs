using System.Net;
using System.Net.Sockets;
using Sdn.Contracts;

namespace Sdn.Fabric.Controller.Model;

/// <summary>
/// Ports: a MAC and addresses unique within their network, allocated when the request leaves them
/// out (the MAC from the port's name, the IPs as the lowest free host addresses).
/// </summary>
public sealed class Ports : ResourceKind<Port>
{
    public override string Kind => "port";

    public override ObjectTable<Port> Table(ModelState state) => state.Ports;

    public override string NameOf(Port item) => item.Name;

    public override void Admit(Port item, ModelState state)
    {
        ResourceName.Require("edge", "edge", item.Edge, state.Edges.Contains);
        ResourceName.Require("network", "network", item.Network, state.Networks.Contains);
        var network = state.Networks.Find(item.Network)!;
        var neighbours = state.PortsOfNetwork.Of(item.Network).Values.ToList();

        item.Kind = item.Kind == PortKind.Unspecified ? PortKind.Vnic : item.Kind;
        item.PortSecurity = !item.HasPortSecurity || item.PortSecurity;
        AdmitEndpoint(item, state);

        if (string.IsNullOrEmpty(item.Mac))
        {
            item.Mac = MacAddress.Allocate(item.Name, neighbours.Select(p => p.Mac).ToHashSet());
        }
        else
        {
            item.Mac = MacAddress.Normalize("mac", item.Mac);
            if (neighbours.Find(p => p.Mac == item.Mac) is { } holder)
            {
                throw ModelException.Exists($"mac {item.Mac} is already used by port '{holder.Name}' of network '{item.Network}'", "mac");
            }
        }

        item.Ipv4 = Address(item, "ipv4", item.Ipv4, network.Ipv4Subnet, network.Ipv4Gateway, AddressFamily.InterNetwork, neighbours.Select(p => (p.Name, p.Ipv4)));

        if (string.IsNullOrEmpty(network.Ipv6Subnet))
        {
            if (!string.IsNullOrEmpty(item.Ipv6))
            {
                throw ModelException.Invalid($"ipv6 {item.Ipv6} given, but network '{item.Network}' has no IPv6 subnet", "ipv6");
            }
        }
        else
        {
            item.Ipv6 = Address(item, "ipv6", item.Ipv6, network.Ipv6Subnet, network.Ipv6Gateway, AddressFamily.InterNetworkV6, neighbours.Select(p => (p.Name, p.Ipv6)));
        }

        if (item.FloatingIpv4.Length > 0)
        {
            item.FloatingIpv4 = FloatingIp(item, network.Tenant, state, "floating_ipv4", item.FloatingIpv4, AddressFamily.InterNetwork);
        }

        if (item.FloatingIpv6.Length > 0)
        {
            if (string.IsNullOrEmpty(item.Ipv6))
            {
                throw ModelException.Invalid($"port '{item.Name}' has floating_ipv6 {item.FloatingIpv6}, but no IPv6 address: network '{item.Network}' has no ipv6_subnet", "floating_ipv6");
            }

            item.FloatingIpv6 = FloatingIp(item, network.Tenant, state, "floating_ipv6", item.FloatingIpv6, AddressFamily.InterNetworkV6);
        }
    }

    /// <summary>The floating addresses a port holds, IPv4 and IPv6, as stored.</summary>
    public static IEnumerable<string> FloatingAddresses(Port port)
    {
        if (port.FloatingIpv4.Length > 0)
        {
            yield return port.FloatingIpv4;
        }

        if (port.FloatingIpv6.Length > 0)
        {
            yield return port.FloatingIpv6;
        }
    }

    /// <summary>Checks a floating IP: a free host address of the external network of the port's tenant, neither its gateway's nor its router's.</summary>
    private static string FloatingIp(Port item, string tenant, ModelState state, string field, string given, AddressFamily family)
    {
        var external = state.Externals.Find(state.ExternalOf(item))
            ?? throw ModelException.Precondition($"port '{item.Name}' has {field} {given}, but its tenant '{tenant}' has no external network; set the tenant's external first", field);
        var v6 = family == AddressFamily.InterNetworkV6;
        var (subnet, gateway, router) = v6 ? (external.Ipv6Subnet, external.Ipv6Address, external.Ipv6Router) : (external.Ipv4Subnet, external.Ipv4Address, external.Ipv4Router);
        if (subnet.Length == 0)
        {
            throw ModelException.Precondition($"port '{item.Name}' has {field} {given}, but external network '{external.Name}' has no IPv6 side; give it an ipv6_subnet and ipv6_address first", field);
        }

        var address = ExternalNetworks.HostAddress(Subnet.Parse("subnet", subnet, family), field, given);
        if (address == gateway || address == router)
        {
            throw ModelException.Exists($"{field} {address} is the {(address == gateway ? "gateway's own address" : "router")} of external network '{external.Name}'", field);
        }

        return state.FloatingIps.Of(external.Name).TryGetValue(address, out var holder) && holder.Name != item.Name
            ? throw ModelException.Exists($"{field} {address} of external network '{external.Name}' is already the floating IP of port '{holder.Name}'", field)
            : address;
    }

    public override void CheckUnused(Port item, ModelState state) =>
        RefuseWhileUsed(item, "the VM(s) that target it", state.PortsTargeting.Of(item.Name).Keys);

    public override void Describe(Event change, Port item) => change.Port = item;

    /// <summary>Checks what realizes the port and fills in its defaults: a VNIC port's VM, a TAP port's host.</summary>
    private static void AdmitEndpoint(Port item, ModelState state)
    {
        switch (item.Kind)
        {
            case PortKind.Vnic when item.Host is not null:
                throw ModelException.Invalid($"port '{item.Name}' is a VNIC port, which carries a vm; only a TAP port carries a host", "host");
            case PortKind.Vnic:
                item.Vm ??= new VmSpec();
                VmApps.Admit(item.Vm, item.Name, state);
                break;
            case PortKind.Tap when item.Vm is not null:
                throw ModelException.Invalid($"port '{item.Name}' is a TAP port, which carries a host; only a VNIC port carries a vm", "vm");
            case PortKind.Tap:
                item.Host ??= new HostSpec();
                HostSpecs.Admit(item.Host, item.Name);
                break;
            default:
                throw ModelException.Invalid($"kind {(int)item.Kind} is not a port kind: use VNIC or TAP", "kind");
        }
    }

    /// <summary>Checks a given address (inside the subnet, a host's, free) or allocates the lowest free one.</summary>
    /// <param name="used">The addresses the network's other ports have, with their names.</param>
    private static string Address(Port item, string field, string given, string subnetText, string gatewayText, AddressFamily family, IEnumerable<(string Port, string Address)> used)
    {
        var subnet = Subnet.Parse("subnet", subnetText, family);
        var gateway = IPAddress.Parse(gatewayText);

        if (string.IsNullOrEmpty(given))
        {
            var taken = used.Where(u => !string.IsNullOrEmpty(u.Address)).Select(u => IPAddress.Parse(u.Address)).Append(gateway).ToHashSet();
            return subnet.FirstFreeHost(taken)?.ToString()
                ?? throw ModelException.Precondition($"network '{item.Network}' has no free {field} address left in {subnet}", field);
        }

        var address = Subnet.ParseAddress(field, given, family);
        if (!subnet.Contains(address))
        {
            throw ModelException.Invalid($"{field} {given} is outside subnet {subnet} of network '{item.Network}'", field);
        }

        if (subnet.IsReserved(address))
        {
            throw ModelException.Invalid($"{field} {given} is the network or broadcast address of {subnet}; use a host address", field);
        }

        if (address.Equals(gateway))
        {
            throw ModelException.Exists($"{field} {given} is the gateway of network '{item.Network}'", field);
        }

        // Every stored address is in the canonical form this returns, so comparing text finds the holder without
        // parsing the whole network's addresses for each port a topology adds.
        var canonical = address.ToString();
        return used.FirstOrDefault(u => u.Address == canonical).Port is { } holder
            ? throw ModelException.Exists($"{field} {given} is already used by port '{holder}' of network '{item.Network}'", field)
            : canonical;
    }
}
