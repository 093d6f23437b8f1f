using System.Net;
using Sdn.Cli.Hosting.Metrics;
using Sdn.Contracts;
using Sdn.Contracts.Southbound;

namespace Sdn.Cli.Hosting;

/// <summary>
/// One node in a process of its own, as `sdn edge` and `sdn core` run it: the same <see cref="EdgeHost"/> or
/// <see cref="CoreHost"/> the embedded fabric runs for each node, programmed by its agent from a controller elsewhere,
/// its links on the node's underlay address; and, when asked for, its own Prometheus endpoint.
/// </summary>
internal sealed class LoneNode : IAsyncDisposable
{
    private readonly LinkEnds _links = new(LoopbackUnderlay.Shared);
    private readonly IAsyncDisposable _host;

    private LoneNode(NodeRole role, string name, NodeConnection connection, EmbeddedFabricOptions options, MetricsServer? metrics)
    {
        Metrics = metrics;
        if (role == NodeRole.Edge)
        {
            var edge = new EdgeHost(name, _links, new BootGate(open: true), options, connection);
            (_host, Agent) = (edge, edge.Agent);
            TimeApplies();
            edge.Start();
        }
        else
        {
            var core = new CoreHost(name, _links, connection);
            (_host, Agent) = (core, core.Agent);
            TimeApplies();
            core.Start();
        }
    }

    public SouthboundAgent Agent { get; }

    /// <summary>The node's Prometheus endpoint; null when none was asked for.</summary>
    public MetricsServer? Metrics { get; }

    /// <summary>Starts the node, and its metrics endpoint at <paramref name="metrics"/> unless null; its agent connects, and reconnects, in the background.</summary>
    /// <exception cref="HostingException">The metrics endpoint cannot be listened on.</exception>
    public static async Task<LoneNode> StartAsync(
        NodeRole role, string name, NodeConnection connection, EmbeddedFabricOptions options, IPEndPoint? metrics = null, CancellationToken cancellationToken = default)
    {
        LoneNode? node = null;
        var server = metrics is null ? null : await MetricsServer.StartAsync(metrics, () => node?.Stats() ?? [], cancellationToken).ConfigureAwait(false);
        node = new LoneNode(role, name, connection, options, server);
        return node;
    }

    /// <summary>Stops the node and takes down every VM, host and link end it made.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Metrics is not null)
        {
            await Metrics.DisposeAsync().ConfigureAwait(false);
        }

        await _host.DisposeAsync().ConfigureAwait(false);
        _links.Dispose();
    }

    private void TimeApplies()
    {
        if (Metrics is { } metrics)
        {
            Agent.BatchApplied += (_, took) => metrics.Latencies.Applied(Agent.NodeName, took);
        }
    }

    /// <summary>What the node's own agent holds, as the controller's GetStats gives it for the node.</summary>
    private List<NodeStats> Stats() =>
        [new NodeStats { Node = Agent.NodeName, Connected = Agent.IsConnected, AppliedVersion = Agent.AppliedVersion, Counters = Agent.Counters() }];
}
