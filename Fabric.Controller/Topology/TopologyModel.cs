using System.Net.NetworkInformation;
using Sdn.Contracts;
using Sdn.Fabric.Controller.Model;

namespace Sdn.Fabric.Controller.Topology;

/// <summary>
/// Loads a topology file's definition into the controller's model, referred-to objects first, each through
/// the model's own validation and allocation (MACs and addresses left out are allocated as for API calls).
/// </summary>
public static class TopologyModel
{
    public static void Load(TopologyDefinition topology, FabricModel model)
    {
        ArgumentNullException.ThrowIfNull(topology);
        ArgumentNullException.ThrowIfNull(model);
        foreach (var edge in topology.Edges)
        {
            model.Create(ResourceKinds.Edges, new EdgeNode { Name = edge.Name });
        }

        foreach (var core in topology.CoreNodes)
        {
            model.Create(ResourceKinds.CoreNodes, new CoreNode { Name = core.Name });
        }

        foreach (var link in topology.Links)
        {
            model.Create(ResourceKinds.Links, new Link
            {
                Name = link.Name,
                A = new LinkEndpoint { Node = link.From },
                B = new LinkEndpoint { Node = link.To },
                Cost = (uint)link.Cost,
            });
        }

        foreach (var tenant in topology.Tenants)
        {
            model.Create(ResourceKinds.Tenants, new Tenant { Name = tenant.Name });
            foreach (var network in tenant.Networks)
            {
                model.Create(ResourceKinds.Networks, new Network
                {
                    Name = NetworkName(network.Name),
                    Tenant = tenant.Name,
                    Ipv4Subnet = network.Subnet.ToString(),
                    Ipv4Gateway = network.Gateway.ToString(),
                });
            }
        }

        foreach (var (acl, index) in topology.Acls.Select((a, i) => (a, i)))
        {
            model.Create(ResourceKinds.AclRules, new AclRule
            {
                Name = $"{acl.Tenant}-acl-{index + 1}",
                Tenant = acl.Tenant,
                Priority = (uint)acl.Priority,
                Action = acl.Action == AclRuleAction.Allow ? AclAction.Allow : AclAction.Deny,
                SrcCidr = acl.Source?.ToString() ?? string.Empty,
                DstCidr = acl.Destination?.ToString() ?? string.Empty,
                Protocol = acl.Protocol switch { AclProtocol.Icmp => 1u, AclProtocol.Tcp => 6u, AclProtocol.Udp => 17u, _ => 0u },
                DstPorts = acl.Ports is { } ports ? new PortRange { First = ports.First, Last = ports.Last } : null,
            });
        }

        foreach (var vm in topology.Vms)
        {
            model.Create(ResourceKinds.Ports, PortOf(vm.Name, vm.Edge, vm.Network, PortKind.Vnic, vm.Ip.ToString(), vm.Mac));
        }

        foreach (var host in topology.Hosts)
        {
            model.Create(ResourceKinds.Ports, PortOf(host.Name, host.Edge, host.Network, PortKind.Tap, host.Ip.ToString(), host.Mac));
        }
    }

    /// <summary>The model's name for a file's "tenant/network": model names cannot hold '/', so it becomes "tenant.network".</summary>
    public static string NetworkName(string topologyName)
    {
        ArgumentNullException.ThrowIfNull(topologyName);
        return topologyName.Replace('/', '.');
    }

    private static Port PortOf(string name, string edge, string network, PortKind kind, string ip, PhysicalAddress? mac) => new()
    {
        Name = name,
        Edge = edge,
        Network = NetworkName(network),
        Kind = kind,
        Ipv4 = ip,
        Mac = mac is null ? string.Empty : string.Join(':', mac.GetAddressBytes().Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture))),
    };
}
