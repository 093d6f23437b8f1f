using Sdn.Cli.Hosting.Metrics;
using Sdn.Contracts;
using Sdn.Contracts.Southbound;
using Sdn.Fabric.Controller.Model;

namespace Sdn.Cli.Hosting;

/// <summary>
/// The node hosts of a fabric run in one process: an <see cref="EdgeHost"/> per edge of the model and a
/// <see cref="CoreHost"/> per core node, started as the model gains the node and stopped as it loses it, in any
/// order and while the others forward. Each host then reconciles what it runs with its node's program.
/// </summary>
internal sealed class NodeHosts : IAsyncDisposable
{
    private readonly Uri _controller;
    private readonly BootGate _boot;
    private readonly EmbeddedFabricOptions _options;
    private readonly ModelEvents.Subscription _changes;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();
    private readonly Dictionary<string, EdgeHost> _edges = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CoreHost> _cores = new(StringComparer.Ordinal);
    private readonly Task _following;
    private readonly LatencyMetrics? _latencies;

    /// <param name="latencies">Where each agent's batch apply times go; nowhere when null.</param>
    public NodeHosts(FabricModel model, Uri controller, BootGate boot, EmbeddedFabricOptions options, LatencyMetrics? latencies = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        _controller = controller;
        _boot = boot;
        _options = options;
        _latencies = latencies;
        _changes = model.Watch(includeExisting: true);
        _following = Task.Run(FollowAsync);
    }

    /// <summary>Every link end the hosted nodes run; cutting a link here cuts it as pulling its cable would.</summary>
    public LinkEnds Links { get; } = new(LoopbackUnderlay.Shared);

    public IReadOnlyList<EdgeHost> Edges
    {
        get
        {
            lock (_gate)
            {
                return [.. _edges.Values];
            }
        }
    }

    public IReadOnlyList<CoreHost> Cores
    {
        get
        {
            lock (_gate)
            {
                return [.. _cores.Values];
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _following.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _changes.Dispose();
        List<IAsyncDisposable> hosts;
        lock (_gate)
        {
            hosts = [.. _edges.Values, .. _cores.Values];
            _edges.Clear();
            _cores.Clear();
        }

        // Every host is stopped even when one fails to: an agent left running would outlive the controller. The
        // link ends' addresses go last, once no host holds an end.
        var teardown = new TeardownStack();
        teardown.Push(Links.Dispose);
        foreach (var host in hosts)
        {
            teardown.Push(host.DisposeAsync);
        }

        _stopping.Dispose();
        await teardown.DisposeAsync().ConfigureAwait(false);
    }

    private async Task FollowAsync()
    {
        await foreach (var change in _changes.Reader.ReadAllAsync(_stopping.Token).ConfigureAwait(false))
        {
            switch (change)
            {
                case { Type: EventType.Created, Edge: { } edge }:
                    var edgeHost = new EdgeHost(edge.Name, Links, _boot, _options, new NodeConnection(_controller));
                    Timed(edgeHost.Agent);
                    Add(_edges, edge.Name, edgeHost, h => h.Start());
                    _options.Progress($"edge {edge.Name}: started");
                    break;
                case { Type: EventType.Created, CoreNode: { } core }:
                    var coreHost = new CoreHost(core.Name, Links, new NodeConnection(_controller));
                    Timed(coreHost.Agent);
                    Add(_cores, core.Name, coreHost, h => h.Start());
                    _options.Progress($"core node {core.Name}: started");
                    break;
                case { Type: EventType.Deleted, Edge: { } edge }:
                    await RemoveAsync(_edges, edge.Name).ConfigureAwait(false);
                    _options.Progress($"edge {edge.Name}: stopped");
                    break;
                case { Type: EventType.Deleted, CoreNode: { } core }:
                    await RemoveAsync(_cores, core.Name).ConfigureAwait(false);
                    _options.Progress($"core node {core.Name}: stopped");
                    break;
            }
        }
    }

    private void Timed(SouthboundAgent agent)
    {
        if (_latencies is { } latencies)
        {
            agent.BatchApplied += (_, took) => latencies.Applied(agent.NodeName, took);
        }
    }

    private void Add<THost>(Dictionary<string, THost> hosts, string name, THost host, Action<THost> start)
    {
        lock (_gate)
        {
            hosts[name] = host;
        }

        start(host);
    }

    private async Task RemoveAsync<THost>(Dictionary<string, THost> hosts, string name)
        where THost : IAsyncDisposable
    {
        THost? host;
        lock (_gate)
        {
            hosts.Remove(name, out host);
        }

        if (host is not null)
        {
            await host.DisposeAsync().ConfigureAwait(false);
        }
    }
}
