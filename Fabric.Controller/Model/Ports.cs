using System.Net;
using System.Net.Sockets;
using Google.Protobuf.Collections;
using Sdn.Contracts;

namespace Sdn.Fabric.Controller.Model;

/// <summary>
/// Ports: a MAC and addresses unique within their network, allocated when the request leaves them
/// out (the MAC from the port's name, the IPs as the lowest free host addresses).
/// </summary>
public sealed class Ports : ResourceKind<Port>
{
    public override string Kind => "port";

    public override RepeatedField<Port> Items(FabricState state) => state.Ports;

    public override string NameOf(Port item) => item.Name;

    public override void Admit(Port item, FabricState state)
    {
        ResourceName.Require("network", "network", item.Network, state.Networks, n => n.Name);
        ResourceName.Require("edge", "edge", item.Edge, state.Edges, e => e.Name);
        var network = state.Networks.First(n => n.Name == item.Network);
        var neighbours = state.Ports.Where(p => p.Network == item.Network).ToList();

        item.Kind = item.Kind == PortKind.Unspecified ? PortKind.Vnic : item.Kind;
        if (!Enum.IsDefined(item.Kind))
        {
            throw ModelException.Invalid($"kind {(int)item.Kind} is not a port kind: use VNIC or TAP");
        }

        var macs = neighbours.Select(p => p.Mac).ToHashSet();
        if (string.IsNullOrEmpty(item.Mac))
        {
            item.Mac = MacAddress.Allocate(item.Name, macs);
        }
        else
        {
            item.Mac = MacAddress.Normalize("mac", item.Mac);
            if (macs.Contains(item.Mac))
            {
                throw ModelException.Exists($"mac {item.Mac} is already used by port '{neighbours.First(p => p.Mac == item.Mac).Name}' of network '{item.Network}'");
            }
        }

        item.Ipv4 = Address(item, "ipv4", item.Ipv4, network.Ipv4Subnet, network.Ipv4Gateway, AddressFamily.InterNetwork, neighbours.Select(p => p.Ipv4));

        if (string.IsNullOrEmpty(network.Ipv6Subnet))
        {
            if (!string.IsNullOrEmpty(item.Ipv6))
            {
                throw ModelException.Invalid($"ipv6 {item.Ipv6} given, but network '{item.Network}' has no IPv6 subnet");
            }
        }
        else
        {
            item.Ipv6 = Address(item, "ipv6", item.Ipv6, network.Ipv6Subnet, network.Ipv6Gateway, AddressFamily.InterNetworkV6, neighbours.Select(p => p.Ipv6));
        }
    }

    public override void Describe(Event change, Port item) => change.Port = item;

    /// <summary>Checks a given address (inside the subnet, a host's, free) or allocates the lowest free one.</summary>
    private static string Address(Port item, string field, string given, string subnetText, string gatewayText, AddressFamily family, IEnumerable<string> used)
    {
        var subnet = Subnet.Parse("subnet", subnetText, family);
        var gateway = IPAddress.Parse(gatewayText);
        var taken = used.Where(u => !string.IsNullOrEmpty(u)).Select(IPAddress.Parse).Append(gateway).ToHashSet();

        if (string.IsNullOrEmpty(given))
        {
            return subnet.FirstFreeHost(taken)?.ToString()
                ?? throw ModelException.Precondition($"network '{item.Network}' has no free {field} address left in {subnet}");
        }

        var address = Subnet.ParseAddress(field, given, family);
        if (!subnet.Contains(address))
        {
            throw ModelException.Invalid($"{field} {given} is outside subnet {subnet} of network '{item.Network}'");
        }

        if (subnet.IsReserved(address))
        {
            throw ModelException.Invalid($"{field} {given} is the network or broadcast address of {subnet}; use a host address");
        }

        if (address.Equals(gateway))
        {
            throw ModelException.Exists($"{field} {given} is the gateway of network '{item.Network}'");
        }

        return taken.Contains(address)
            ? throw ModelException.Exists($"{field} {given} is already used by another port of network '{item.Network}'")
            : address.ToString();
    }
}
