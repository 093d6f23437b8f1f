using System.Globalization;
using System.Text;
using Sdn.Cli.Hosting;

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
        text.Append(TextTable.Render(
            ["VM", "NETWORK", "IP", "MAC", "EDGE", "APP"],
            fabric.Vms.Values.Select(v => new[] { v.Name, v.Port.Network, v.Port.Ipv4, v.Port.Mac, v.Port.Edge, v.Launch.Description })));
        if (fabric.Hosts.Count > 0)
        {
            text.AppendLine();
            text.Append(TextTable.Render(
                ["HOST", "NETWORK", "IP", "MAC", "EDGE", "NAMESPACE"],
                fabric.Hosts.Values.Select(h => new[] { h.Name, h.Port.Network, h.Port.Ipv4, h.Port.Mac, h.Port.Edge, h.Namespace.Name })));
        }

        return text.ToString();
    }
}
