using Sdn.Fabric.Controller.Compiler;
using Sdn.Fabric.Core.Protos;
using Sdn.Fabric.Core.Rpc;

namespace Sdn.Fabric.Controller.Southbound;

/// <summary>
/// The controller's side of <c>Agent.Connect</c>. A node's agent opens the stream with a hello; it is sent its
/// whole program at the current version (so a reconnecting node drops whatever it holds beyond it), then the
/// diff of every fabric <see cref="PublishAsync"/> is given, each as one versioned batch. An agent that refuses
/// a batch is sent full state again. Reports (link liveness, counters) flow the other way.
/// A new stream for a node that already has one replaces the old one.
/// </summary>
internal sealed class SouthboundService(CompiledFabric initial)
{
    private readonly Lock gate = new();
    private readonly Dictionary<string, AgentSession> sessions = new(StringComparer.Ordinal);
    private CompiledFabric current = initial;

    /// <summary>Raised on a stream's thread for each link state an agent reports, its hello's included.</summary>
    public event EventHandler<LinkStatusReport>? LinkStatusReported;

    public CompiledFabric Current
    {
        get
        {
            lock (gate)
            {
                return current;
            }
        }
    }

    public RpcServiceBuilder AddTo(RpcServiceBuilder services)
    {
        ArgumentNullException.ThrowIfNull(services);
        return services.AddDuplex(AgentMethods.Connect, ConnectAsync);
    }

    public bool IsConnected(string node)
    {
        lock (gate)
        {
            return sessions.ContainsKey(node);
        }
    }

    /// <summary>The last version the node acked as applied; 0 when it is not connected or has acked nothing.</summary>
    public ulong AckedVersion(string node)
    {
        lock (gate)
        {
            return sessions.TryGetValue(node, out var session) ? session.AckedVersion : 0;
        }
    }

    public CounterReport? Counters(string node)
    {
        lock (gate)
        {
            return sessions.TryGetValue(node, out var session) ? session.LastCounters : null;
        }
    }

    /// <summary>Makes <paramref name="fabric"/> current and sends every connected agent its diff.</summary>
    public async Task PublishAsync(CompiledFabric fabric)
    {
        ArgumentNullException.ThrowIfNull(fabric);
        List<AgentSession> targets;
        lock (gate)
        {
            if (fabric.Version <= current.Version)
            {
                return;
            }

            current = fabric;
            targets = [.. sessions.Values];
        }

        await Task.WhenAll(targets.Select(s => SendQuietlyAsync(s, fabric))).ConfigureAwait(false);
    }

    /// <summary>Ends every agent's stream, as a controller that goes away does.</summary>
    public void Disconnect()
    {
        lock (gate)
        {
            foreach (var session in sessions.Values)
            {
                session.Ended.Cancel();
            }
        }
    }

    private async Task ConnectAsync(RpcStreamReader<AgentMessage> requests, RpcStreamWriter<ControllerMessage> responses, RpcCallContext context)
    {
        var first = await requests.ReadAsync(context.CancellationToken).ConfigureAwait(false);
        if (first?.KindCase != AgentMessage.KindOneofCase.Hello || string.IsNullOrEmpty(first.Hello.NodeName))
        {
            throw new RpcException(StatusCode.InvalidArgument, "an agent's stream must open with a hello that names its node");
        }

        var hello = first.Hello;
        CompiledFabric fabric;
        using var session = new AgentSession(hello.NodeName, responses);
        lock (gate)
        {
            fabric = current;
            if (!fabric.HasNode(hello.NodeName))
            {
                throw new RpcException(StatusCode.NotFound, $"node '{hello.NodeName}' is not in the fabric; add it as an edge or core node first");
            }

            if (sessions.Remove(hello.NodeName, out var replaced))
            {
                replaced.Ended.Cancel();
            }

            sessions[hello.NodeName] = session;
        }

        using var ended = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, session.Ended.Token);
        try
        {
            foreach (var link in hello.Links)
            {
                LinkStatusReported?.Invoke(this, new LinkStatusReport(hello.NodeName, link.Interface, link.Up));
            }

            await session.SendFullStateAsync(fabric).ConfigureAwait(false);
            await session.SendChangesAsync(Current).ConfigureAwait(false);
            await foreach (var message in requests.ReadAllAsync(ended.Token).ConfigureAwait(false))
            {
                await HandleAsync(session, message).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (session.Ended.IsCancellationRequested)
        {
            // Replaced by a newer stream of the same node, or the controller is going away.
        }
        finally
        {
            lock (gate)
            {
                if (sessions.TryGetValue(hello.NodeName, out var registered) && registered == session)
                {
                    sessions.Remove(hello.NodeName);
                }
            }
        }
    }

    private async Task HandleAsync(AgentSession session, AgentMessage message)
    {
        switch (message.KindCase)
        {
            case AgentMessage.KindOneofCase.BatchAck:
                if (session.Acknowledge(message.BatchAck))
                {
                    await session.SendFullStateAsync(Current).ConfigureAwait(false);
                }

                break;
            case AgentMessage.KindOneofCase.LinkStatus:
                LinkStatusReported?.Invoke(this, new LinkStatusReport(session.Node, message.LinkStatus.Interface, message.LinkStatus.Up));
                break;
            case AgentMessage.KindOneofCase.Counters:
                lock (gate)
                {
                    session.LastCounters = message.Counters;
                }

                break;
        }
    }

    private static async Task SendQuietlyAsync(AgentSession session, CompiledFabric fabric)
    {
        try
        {
            await session.SendChangesAsync(fabric).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RpcException or OperationCanceledException or ObjectDisposedException)
        {
            // The stream is ending; its agent gets full state when it reconnects.
        }
    }
}
