using System.CommandLine;
using System.Globalization;
using Sdn.Contracts;

namespace Sdn.Cli.Commands;

/// <summary>
/// `sdn status`: the controller's state version; for every node, whether its agent is connected and what it
/// applied, with the last batch it refused under its row; then how many ports, VMs, hosts, external ports and links
/// are in each state, and each one that is not up, with why; then each external network's port on its gateway edge.
/// </summary>
internal static class StatusCommand
{
    public static Command Create()
    {
        var controller = ControllerClient.CreateOption();
        var command = new Command("status", "Show the running fabric: the state version, each node's agent connection and applied program version, and every port, VM, host and link that is not up") { controller };
        command.SetAction((parse, _) => ControllerClient.RunAsync(parse, controller, async (client, output) =>
        {
            var state = await client.GetStateAsync(new GetStateRequest()).ConfigureAwait(false);
            var stats = await client.GetStatsAsync(new StatsRequest()).ConfigureAwait(false);
            await output.WriteLineAsync(string.Create(
                CultureInfo.InvariantCulture,
                $"state version {state.Version}: {state.Edges.Count} edges, {state.CoreNodes.Count} core nodes, {state.Links.Count} links, {state.Ports.Count} ports")).ConfigureAwait(false);
            var edges = state.Edges.Select(e => e.Name).ToHashSet(StringComparer.Ordinal);
            var table = TextTable.Lines(
                ["NODE", "ROLE", "AGENT", "APPLIED"],
                stats.Nodes.Select(n => new[]
                {
                    n.Node, edges.Contains(n.Node) ? "edge" : "core", n.Connected ? "connected" : "disconnected",
                    n.AppliedVersion < n.SentVersion && n.Failure.Length == 0
                        ? string.Create(CultureInfo.InvariantCulture, $"{n.AppliedVersion}, applying {n.SentVersion}")
                        : n.AppliedVersion.ToString(CultureInfo.InvariantCulture),
                }));
            await output.WriteLineAsync(table[0]).ConfigureAwait(false);
            for (var i = 0; i < stats.Nodes.Count; i++)
            {
                // A node that refused its last batch gets the refusal on a line of its own, under its row.
                await output.WriteLineAsync(table[i + 1]).ConfigureAwait(false);
                if (stats.Nodes[i].Failure.Length > 0)
                {
                    await output.WriteLineAsync($"  {stats.Nodes[i].Failure}").ConfigureAwait(false);
                }
            }

            var status = await client.GetStatusAsync(new StatusRequest()).ConfigureAwait(false);
            await WriteObjectsAsync(output, status).ConfigureAwait(false);
            await WriteExternalsAsync(output, state, stats, status).ConfigureAwait(false);
        }));
        return command;
    }

    /// <summary>Each external network's port on its gateway edge: its interface, the gateway's address, its state and the packets it carried.</summary>
    private static async Task WriteExternalsAsync(TextWriter output, FabricState state, StatsReply stats, FabricStatus status)
    {
        if (state.Externals.Count == 0)
        {
            return;
        }

        var states = status.Objects.Where(o => o.Kind == "external").ToDictionary(o => o.Name, StringComparer.Ordinal);
        var counters = stats.Nodes.Where(n => n.Counters is not null).ToDictionary(n => n.Node, n => n.Counters.Ports, StringComparer.Ordinal);
        var rows = state.Externals.OrderBy(e => e.Name, StringComparer.Ordinal).Select(e =>
        {
            var port = counters.GetValueOrDefault(e.Edge)?.FirstOrDefault(p => p.Port == e.Interface);
            return new[]
            {
                e.Name, e.Edge, e.Interface, e.Ipv4Address, e.Ipv6Address.Length > 0 ? e.Ipv6Address : "-",
                states.TryGetValue(e.Name, out var found) ? EndpointListCommands.NameOf(found.State) : "unknown",
                port is null ? "-" : port.RxPackets.ToString(CultureInfo.InvariantCulture),
                port is null ? "-" : port.TxPackets.ToString(CultureInfo.InvariantCulture),
            };
        });
        foreach (var line in TextTable.Lines(["EXTERNAL", "EDGE", "INTERFACE", "ADDRESS", "IPV6 ADDRESS", "STATE", "RX", "TX"], rows))
        {
            await output.WriteLineAsync(line).ConfigureAwait(false);
        }
    }

    /// <summary>"ports: 4 up; vms: 3 up, 1 pending; ...", then one line for each object that is not up.</summary>
    private static async Task WriteObjectsAsync(TextWriter output, FabricStatus status)
    {
        var counts = status.Objects.GroupBy(o => o.Kind).Select(kind =>
            $"{kind.Key}s: " + string.Join(", ", kind.GroupBy(o => o.State).OrderBy(s => s.Key).Select(s => $"{s.Count()} {EndpointListCommands.NameOf(s.Key)}")));
        await output.WriteLineAsync(string.Join("; ", counts)).ConfigureAwait(false);
        foreach (var item in status.Objects.Where(o => o.State != ObjectState.Up))
        {
            var node = item.Node.Length > 0 ? $" on {item.Node}" : "";
            await output.WriteLineAsync($"  {item.Kind} {item.Name}{node}: {EndpointListCommands.NameOf(item.State)}: {item.Reason}").ConfigureAwait(false);
        }
    }
}
