using System.Net;
using Sdn.Contracts;
using Sdn.Fabric.Controller.Model;

namespace Sdn.Fabric.Controller.Compiler;

/// <summary>
/// What a node's host needs to realize each port of its program: the VM to boot behind a VNIC port, the namespace
/// behind a TAP port, the link end behind an uplink or a core node's link, each with the addresses it needs.
/// </summary>
public static class PortRealizations
{
    public static PortConfig Endpoint(CompileContext context, Port port, uint number)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(port);
        var config = new PortConfig { Number = number, Name = port.Name, Kind = port.Kind, Mac = port.Mac };
        var address = AddressOf(context.Networks[port.Network], port);
        if (port.Kind == PortKind.Tap)
        {
            config.Host = new HostLaunch { Spec = port.Host, Address = address };
            return config;
        }

        config.Vm = new VmLaunch { Spec = port.Vm, Address = address };
        if (port.Vm?.Params.GetValueOrDefault(VmApps.Target) is { } target)
        {
            var targeted = context.Ports.GetValueOrDefault(target);
            config.Vm.TargetIpv4 = targeted?.Ipv4 ?? target;
            config.Vm.TargetMac = targeted is null ? string.Empty : MacAddress.FirstHop(context.Networks[port.Network], targeted);
        }

        return config;
    }

    /// <summary>The end of <paramref name="link"/> on <paramref name="node"/>, as port <paramref name="number"/>.</summary>
    public static PortConfig LinkEnd(CompileContext context, Link link, string node, uint number)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(link);
        var (self, peer) = link.A.Node == node ? (link.A, link.B) : (link.B, link.A);
        var end = new LinkEndConfig
        {
            Link = link.Name,
            PeerNode = peer.Node,
            PeerInterface = peer.Interface,
            Impairment = self == link.A ? link.Impairment : null,
        };
        var bothCore = context.IsCore(self.Node) && context.IsCore(peer.Node);
        LinkEndPlacement.Place(end, link, (self.Node, context.AddressOf(self.Node)), (peer.Node, context.AddressOf(peer.Node)), bothCore);
        return new PortConfig { Number = number, Name = self.Interface, Link = end };
    }

    private static PortAddress AddressOf(Network network, Port port) => new()
    {
        Ipv4 = port.Ipv4,
        PrefixLength = (uint)IPNetwork.Parse(network.Ipv4Subnet).PrefixLength,
        Gateway = network.Ipv4Gateway,
        Ipv6 = port.Ipv6,
        Ipv6PrefixLength = string.IsNullOrEmpty(network.Ipv6Subnet) ? 0 : (uint)IPNetwork.Parse(network.Ipv6Subnet).PrefixLength,
        Ipv6Gateway = network.Ipv6Gateway,
    };
}
