using Sdn.Cli.Commands;
using Sdn.Contracts;

namespace Sdn.Cli.Graph;

/// <summary>
/// What the page shows for a clicked node: a switch's counters, and an edge's flow table as `sdn flows` prints it;
/// a VM's or host's port, or an external network's interface and addresses, and the counters its edge keeps for it.
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
            var described = $"port {name} on {port.Edge}: network {port.Network}, {port.Mac}, {port.Ipv4} {port.Ipv6}".TrimEnd();
            return new NodeDetails(name, kind, await OnEdgeAsync(described, port.Edge, name, cancellationToken).ConfigureAwait(false), string.Empty);
        }

        if (node.Kind == FabricGraph.External)
        {
            var external = state.Externals.Single(e => e.Name == name);
            var router = external.Ipv4Router.Length > 0 ? $", router {external.Ipv4Router}" : string.Empty;
            var ipv6 = external.Ipv6Subnet.Length == 0 ? string.Empty
                : $"; IPv6 subnet {external.Ipv6Subnet}, gateway {external.Ipv6Address}{(external.Ipv6Router.Length > 0 ? $", router {external.Ipv6Router}" : string.Empty)}";
            var described = $"external {name} on {external.Edge}: interface {external.Interface}, subnet {external.Ipv4Subnet}, gateway {external.Ipv4Address}{router}{ipv6}";
            return new NodeDetails(name, kind, await OnEdgeAsync(described, external.Edge, external.Interface, cancellationToken).ConfigureAwait(false), string.Empty);
        }

        var counters = CountersText.Write(await CountersAsync(name, cancellationToken).ConfigureAwait(false));
        if (node.Kind == FabricGraph.Core)
        {
            return new NodeDetails(name, kind, counters, string.Empty);
        }

        var flows = await client.GetFlowsAsync(new GetFlowsRequest { Edge = name }, deadline: ControllerClient.DiagnosticDeadline(), cancellationToken: cancellationToken).ConfigureAwait(false);
        return new NodeDetails(name, kind, counters, FlowsCommand.Render(flows));
    }

    /// <summary>What <paramref name="described"/> stands for, then the counters <paramref name="edge"/> keeps for its <paramref name="port"/>.</summary>
    private async Task<string> OnEdgeAsync(string described, string edge, string port, CancellationToken cancellationToken)
    {
        var counters = await CountersAsync(edge, cancellationToken).ConfigureAwait(false);
        var own = new CounterReport { Ports = { counters?.Ports.Where(p => p.Port == port) ?? [] } };
        return described + "\n\n" + CountersText.Write(own);
    }

    private async Task<CounterReport?> CountersAsync(string node, CancellationToken cancellationToken) =>
        (await client.GetStatsAsync(new StatsRequest { Node = node }, cancellationToken: cancellationToken).ConfigureAwait(false)).Nodes.Single().Counters;
}
