using Google.Protobuf;
using Sdn.Contracts;
using Sdn.Fabric.Controller.Model;

namespace Sdn.Fabric.Controller.Topology;

/// <summary>How a plan names the objects it touches: as the topology file does, so a VNIC port is a vm and a TAP port a host.</summary>
internal static class PlanText
{
    public static string Label(ModelObject item) =>
        $"{(item.Message is Port port ? (port.Kind == PortKind.Tap ? "host" : "vm") : item.Kind)} {item.Name}";

    /// <summary>What an object to be added is, in a few words, such as " (echo on e1 in red.web, 10.1.0.13)"; empty for a node or a tenant.</summary>
    public static string Details(IMessage message) => message switch
    {
        Port { Kind: PortKind.Tap } host => $" (on {host.Edge} in {host.Network}, {host.Ipv4})",
        Port vm => $" ({vm.Vm?.App} on {vm.Edge} in {vm.Network}, {vm.Ipv4})",
        Link link => $" ({link.A.Node} to {link.B.Node}, cost {link.Cost})",
        Network network => $" ({network.Ipv4Subnet})",
        ExternalNetwork external => $" ({external.Interface} of {external.Edge}, {external.Ipv4Address} in {external.Ipv4Subnet})",
        AclRule rule => $" ({FieldDifferences.Format(rule.Action)} in tenant {rule.Tenant}, priority {rule.Priority})",
        _ => string.Empty,
    };
}
