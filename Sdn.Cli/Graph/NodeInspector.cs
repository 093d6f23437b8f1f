using Sdn.Cli.Commands;
using Sdn.Contracts;

namespace Sdn.Cli.Graph;

/// <summary>
/// What the page shows for a clicked node: a switch's counters, and an edge's flow table as `sdn flows` prints it;
/// a VM's or host's port, and the counters its edge keeps for it.
/// </summary>
internal sealed class NodeInspector(Controller.ControllerClient client)
{
    /// <summary>The node's details; null when the fabric has no such node.</summary>
    /// <exception cref="Grpc.Core.RpcException">The controller or the edge's agent refused.</exception>
    public async Task<NodeDetails?> InspectAsync(string kind, string name, CancellationToken cancellationToken)
    {
        var state = await client.GetStateAsync(new GetStateRequest(), cancellationToken: cancellationToken).ConfigureAwait(false);
        var node = FabricGraph.Of(state).Nodes.FirstOrDefault(n => n.Kind == kind && n.Name == name);
        if (node is null)
        {
            return null;
        }

        if (node.Kind is FabricGraph.Vm or FabricGraph.Host)
        {
            var port = state.Ports.Single(p => p.Name == name);
            var edge = await CountersAsync(port.Edge, cancellationToken).ConfigureAwait(false);
            var own = new CounterReport { Ports = { edge?.Ports.Where(p => p.Port == name) ?? [] } };
            return new NodeDetails(name, kind, $"port {name} on {port.Edge}: network {port.Network}, {port.Mac}, {port.Ipv4} {port.Ipv6}".TrimEnd() + "\n\n" + CountersText.Write(own), string.Empty);
        }

        var counters = CountersText.Write(await CountersAsync(name, cancellationToken).ConfigureAwait(false));
        if (node.Kind == FabricGraph.Core)
        {
            return new NodeDetails(name, kind, counters, string.Empty);
        }

        var flows = await client.GetFlowsAsync(new GetFlowsRequest { Edge = name }, deadline: ControllerClient.DiagnosticDeadline(), cancellationToken: cancellationToken).ConfigureAwait(false);
        return new NodeDetails(name, kind, counters, FlowsCommand.Render(flows));
    }

    private async Task<CounterReport?> CountersAsync(string node, CancellationToken cancellationToken) =>
        (await client.GetStatsAsync(new StatsRequest { Node = node }, cancellationToken: cancellationToken).ConfigureAwait(false)).Nodes.Single().Counters;
}
