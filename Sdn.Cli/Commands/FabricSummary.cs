using System.Globalization;
using System.Text;
using Sdn.Cli.Hosting;
using Sdn.Contracts;

namespace Sdn.Cli.Commands;

/// <summary>The table `sdn up` prints once the fabric is up: nodes, links, VMs and hosts.</summary>
internal static class FabricSummary
{
    public static string Render(EmbeddedFabric fabric)
    {
        ArgumentNullException.ThrowIfNull(fabric);
        var state = fabric.Model.Snapshot();
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"topology {fabric.Topology.Name}: up in {fabric.UpTime.TotalMilliseconds:F0} ms; controller at {fabric.Address}");
        text.AppendLine(CultureInfo.InvariantCulture, $"nodes: edges {string.Join(", ", state.Edges.Select(e => e.Name))}; core {string.Join(", ", state.CoreNodes.Select(c => c.Name))}");
        text.AppendLine(CultureInfo.InvariantCulture, $"links: {string.Join(", ", state.Links.Select(l => $"{l.A.Node}--{l.B.Node}"))}");
        text.AppendLine();
        var vms = fabric.Vms;
        text.Append(TextTable.Render(
            ["VM", "NETWORK", "IP", "MAC", "EDGE", "APP"],
            state.Ports.Where(p => p.Kind == PortKind.Vnic)
                .Select(p => new[] { p.Name, p.Network, p.Ipv4, p.Mac, p.Edge, vms.TryGetValue(p.Name, out var vm) ? vm.Launch.Description : p.Vm.App })));
        var hosts = fabric.Hosts;
        if (hosts.Count > 0)
        {
            text.AppendLine();
            text.Append(TextTable.Render(
                ["HOST", "NETWORK", "IP", "MAC", "EDGE", "NAMESPACE"],
                state.Ports.Where(p => p.Kind == PortKind.Tap)
                    .Select(p => new[] { p.Name, p.Network, p.Ipv4, p.Mac, p.Edge, hosts.TryGetValue(p.Name, out var host) ? host.Namespace.Name : "-" })));
        }

        return text.ToString();
    }
}
