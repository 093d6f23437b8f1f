using System.Diagnostics;
using System.Runtime.CompilerServices;
using Grpc.Core;
using Sdn.Contracts;

namespace Sdn.Cli.Graph;

/// <summary>
/// Asks the controller for the fabric's state, statuses and counters every <see cref="Interval"/>, and hands each
/// snapshot to every page watching. The interval is short so that a link cut with `sdn link set` turns down on the
/// page well within a second; the three calls are cheap next to it.
/// </summary>
internal sealed class FabricSampler(Controller.ControllerClient client)
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(5);

    private readonly PortRates _rates = new();
    private GraphSnapshot _latest = new(0, "the controller has not answered yet", [], []);
    // Completed with each new snapshot, and with null once sampling stops, which ends every watch.
    private TaskCompletionSource<GraphSnapshot?> _next = NewSignal();

    /// <summary>Samples until <paramref name="stop"/> is cancelled, then throws <see cref="OperationCanceledException"/>.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        try
        {
            using var timer = new PeriodicTimer(Interval);
            do
            {
                var snapshot = await SampleAsync(stop).ConfigureAwait(false);
                Volatile.Write(ref _latest, snapshot);
                Interlocked.Exchange(ref _next, NewSignal()).SetResult(snapshot);
            }
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false));
        }
        finally
        {
            Volatile.Read(ref _next).TrySetResult(null);
        }
    }

    /// <summary>The latest snapshot, then each new one, until <paramref name="cancellationToken"/> (the page going away) or sampling stops.</summary>
    public async IAsyncEnumerable<GraphSnapshot> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var next = Volatile.Read(ref _next).Task;
        yield return Volatile.Read(ref _latest);
        while (await next.WaitAsync(cancellationToken).ConfigureAwait(false) is { } snapshot)
        {
            yield return snapshot;
            next = Volatile.Read(ref _next).Task;
        }
    }

    private async Task<GraphSnapshot> SampleAsync(CancellationToken stop)
    {
        try
        {
            var deadline = DateTime.UtcNow + CallTimeout;
            var state = client.GetStateAsync(new GetStateRequest(), deadline: deadline, cancellationToken: stop).ResponseAsync;
            var status = client.GetStatusAsync(new StatusRequest(), deadline: deadline, cancellationToken: stop).ResponseAsync;
            var stats = client.GetStatsAsync(new StatsRequest(), deadline: deadline, cancellationToken: stop).ResponseAsync;
            await Task.WhenAll(state, status, stats).ConfigureAwait(false);
            var now = Stopwatch.GetTimestamp();
            _rates.Add(stats.Result, now);
            return Snapshot(state.Result, status.Result, stats.Result, now);
        }
        catch (RpcException e) when (!stop.IsCancellationRequested)
        {
            return Volatile.Read(ref _latest) with { Error = $"{e.StatusCode}: {e.Status.Detail}" };
        }
        catch (RpcException e)
        {
            // A call in flight when sampling stops ends as Cancelled: a stop, as asked, not a controller's error.
            throw new OperationCanceledException("sampling stopped", e, stop);
        }
    }

    private GraphSnapshot Snapshot(FabricState state, FabricStatus status, StatsReply stats, long now)
    {
        var graph = FabricGraph.Of(state);
        var objects = new Dictionary<(string Kind, string Name), ObjectStatus>();
        foreach (var o in status.Objects)
        {
            objects[(o.Kind, o.Name)] = o;
        }

        var agents = stats.Nodes.ToDictionary(n => n.Node, StringComparer.Ordinal);
        var nodes = graph.Nodes.Select(n =>
        {
            var (condition, reason) = n.Kind is FabricGraph.Core or FabricGraph.Edge ? AgentCondition(agents.GetValueOrDefault(n.Name)) : StatusCondition(objects.GetValueOrDefault((n.Kind, n.Name)));
            return new LiveNode(n.Id, n.Name, n.Kind, n.Notes, condition, reason);
        });
        var links = graph.Links.Select(l =>
        {
            // An external network has one status, its port's on the gateway edge, which its node and its uplink both show.
            var kind = l.Kind == FabricGraph.Uplink ? FabricGraph.External : l.Kind;
            var (condition, reason) = StatusCondition(objects.GetValueOrDefault((kind, l.Name)));
            var a = l.AInterface.Length > 0 ? Port(l.A.Name, l.AInterface, now) : null;
            var b = Port(l.B.Name, l.BInterface, now);
            return new LiveLink(l.Id, l.Name, l.Kind, l.A.Id, l.B.Id, condition, reason, a?.TxPps ?? b.RxPps, b.TxPps, a is null ? [b] : [a, b]);
        });
        return new GraphSnapshot(state.Version, string.Empty, [.. nodes], [.. links]);
    }

    private LivePort Port(string node, string port, long now)
    {
        var (rx, tx) = _rates.Of(node, port, now);
        return new LivePort(node, port, rx, tx);
    }

    /// <summary>A switch is up while its agent is connected and has refused no batch since its last good one.</summary>
    private static (string State, string Reason) AgentCondition(NodeStats? agent) => agent switch
    {
        { Failure.Length: > 0 } => ("failed", agent.Failure),
        { Connected: true } => ("up", string.Empty),
        _ => ("down", "its agent is not connected"),
    };

    private static (string State, string Reason) StatusCondition(ObjectStatus? status) => status?.State switch
    {
        ObjectState.Up => ("up", string.Empty),
        ObjectState.Down => ("down", status.Reason),
        ObjectState.Failed => ("failed", status.Reason),
        _ => ("pending", status?.Reason ?? "the controller gives no status for it yet"),
    };

    private static TaskCompletionSource<GraphSnapshot?> NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
