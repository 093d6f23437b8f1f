using Sdn.Contracts;
using Sdn.Contracts.Southbound;

namespace Sdn.Cli.Hosting;

/// <summary>
/// One node in a process of its own, as `sdn edge` and `sdn core` run it: the same <see cref="EdgeHost"/> or
/// <see cref="CoreHost"/> the embedded fabric runs for each node, programmed by its agent from a controller elsewhere,
/// its links on the node's underlay address.
/// </summary>
internal sealed class LoneNode : IAsyncDisposable
{
    private readonly LinkEnds _links = new(LoopbackUnderlay.Shared);
    private readonly IAsyncDisposable _host;

    private LoneNode(NodeRole role, string name, NodeConnection connection, EmbeddedFabricOptions options)
    {
        if (role == NodeRole.Edge)
        {
            var edge = new EdgeHost(name, _links, new BootGate(open: true), options, connection);
            (_host, Agent) = (edge, edge.Agent);
            edge.Start();
        }
        else
        {
            var core = new CoreHost(name, _links, connection);
            (_host, Agent) = (core, core.Agent);
            core.Start();
        }
    }

    public SouthboundAgent Agent { get; }

    /// <summary>Starts the node; its agent connects, and reconnects, in the background.</summary>
    public static LoneNode Start(NodeRole role, string name, NodeConnection connection, EmbeddedFabricOptions options) => new(role, name, connection, options);

    /// <summary>Stops the node and takes down every VM, host and link end it made.</summary>
    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync().ConfigureAwait(false);
        _links.Dispose();
    }
}
