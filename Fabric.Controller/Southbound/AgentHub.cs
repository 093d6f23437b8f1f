using Google.Protobuf;
using Grpc.Core;
using Sdn.Contracts;
using Sdn.Contracts.Rpc;
using Sdn.Contracts.Southbound;
using Sdn.Fabric.Controller.Model;

namespace Sdn.Fabric.Controller.Southbound;

/// <summary>
/// The controller's side of the southbound Agent.Connect stream.
///
/// <para>A node agent opens the stream with a hello naming a node of the model and the version it
/// last applied. The hub answers with the node's whole program as one full-state batch (the agent
/// drops whatever the batch lacks), then sends each later <see cref="Publish"/> as a diff on top
/// of the previous version. Versions per node only grow, across reconnects too, so an agent can
/// always tell a stale batch. An agent that cannot apply a batch acks it with an error status, which
/// <see cref="Stats"/> shows until the node applies a later batch, and gets full state again: at once after a
/// refused diff, and after a refused full state with a backoff (1 s, doubled up to 30 s), or with the next
/// publication if one comes first. A node that reconnects replaces its older session, which ends ABORTED.</para>
///
/// <para>Requests that need a node's answer travel on the same stream, each under the id of the
/// <see cref="AgentRequest"/> it answers: the one reply of a trace or a flow dump, and a capture's packets,
/// a mirror's counters and a ping's echoes until the request ends. Only a node that was asked may answer.</para>
/// </summary>
public sealed class AgentHub
{
    private readonly FabricModel _model;
    private readonly Lock _gate = new();
    private bool _closed;
    private readonly Dictionary<string, NodeProgram> _programs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, AgentSession> _sessions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ulong> _lastVersions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _failures = new(StringComparer.Ordinal);
    private readonly Dictionary<ulong, AgentRequest> _requests = [];
    private readonly Action<string> _log;
    private ulong _lastRequestId;

    /// <param name="log">Takes a line for each event an operator should hear of, such as a node's agent replaced by another; standard error by default.</param>
    public AgentHub(FabricModel model, Action<string>? log = null)
    {
        this._model = model;
        _log = log ?? Console.Error.WriteLine;
    }

    /// <summary>
    /// Ends every agent's stream with UNAVAILABLE, as a controller that shuts down must: the server cannot stop
    /// while streams are open, and the agents keep forwarding on what they hold until they reconnect.
    /// </summary>
    public void Close()
    {
        lock (_gate)
        {
            Volatile.Write(ref _closed, true);
            foreach (var session in _sessions.Values)
            {
                session.Replace();
            }
        }
    }

    /// <summary>Raised, outside the hub's lock, for each link state an agent reports, those of its hello included.</summary>
    public event EventHandler<LinkStatusReport>? LinkStatusReported;

    /// <summary>Sets what <paramref name="node"/> should hold; if it is connected it gets the difference as one batch.</summary>
    public void Publish(string node, NodeProgram program)
    {
        lock (_gate)
        {
            _programs[node] = program;
            if (_sessions.TryGetValue(node, out var session))
            {
                session.Send(program);
                _lastVersions[node] = session.LastVersion;
            }
        }
    }

    /// <summary>Connection, applied version, latest counters and last refused batch of every node of the model, or of one.</summary>
    /// <exception cref="ModelException">NOT_FOUND for a node the model does not have.</exception>
    public IReadOnlyList<NodeStats> Stats(string node)
    {
        var state = _model.Snapshot();
        var names = state.Edges.Select(e => e.Name).Concat(state.CoreNodes.Select(c => c.Name)).Order(StringComparer.Ordinal).ToList();
        if (node.Length > 0)
        {
            names = names.Contains(node) ? [node] : throw ModelException.NotFound("node", node);
        }

        lock (_gate)
        {
            return names.Select(name =>
            {
                var stats = _sessions.TryGetValue(name, out var session)
                    ? new NodeStats { Node = name, Connected = true, AppliedVersion = session.AppliedVersion, SentVersion = session.LastVersion, Counters = session.Counters }
                    : new NodeStats { Node = name };
                stats.Failure = _failures.GetValueOrDefault(name, "");
                return stats;
            }).ToList();
        }
    }

    /// <summary>What the nodes made of each port, VM, host and link of the desired state.</summary>
    public FabricStatus Status()
    {
        var state = _model.Snapshot();
        lock (_gate)
        {
            return FabricStatuses.Of(state, node => _sessions.GetValueOrDefault(node), node => _failures.GetValueOrDefault(node));
        }
    }

    /// <summary>Asks the agent of <paramref name="node"/> to trace <paramref name="packet"/> arriving on <paramref name="port"/>.</summary>
    /// <exception cref="RpcException">UNAVAILABLE when the node's agent is not connected or goes away before answering.</exception>
    public async Task<TraceResult> TraceAsync(string node, string port, ByteString packet, CancellationToken cancellationToken)
    {
        var reply = await AskAsync(node, id => new ControllerMessage { Trace = new AgentTraceRequest { RequestId = id, Port = port, Packet = packet } }, cancellationToken).ConfigureAwait(false);
        return reply.TraceReply.Result ?? new TraceResult();
    }

    /// <summary>Asks the agent of edge <paramref name="node"/> for its flow entries and their counters, of one table or of all.</summary>
    /// <exception cref="RpcException">UNAVAILABLE when the edge's agent is not connected or goes away before answering; the agent's refusal (INVALID_ARGUMENT for a table it does not have).</exception>
    public async Task<FlowDump> FlowsAsync(string node, uint? tableId, CancellationToken cancellationToken)
    {
        var reply = (await AskAsync(
            node,
            id => new ControllerMessage { Flows = tableId is { } table ? new AgentFlowsRequest { RequestId = id, TableId = table } : new AgentFlowsRequest { RequestId = id } },
            cancellationToken).ConfigureAwait(false)).FlowsReply;
        return reply.Status == (int)StatusCode.OK ? reply.Dump : throw new RpcException(new Status((StatusCode)reply.Status, reply.Message));
    }

    /// <summary>Sends the request <paramref name="ask"/> makes of a fresh request id to the agent of <paramref name="node"/> and waits for its one reply.</summary>
    private async Task<AgentMessage> AskAsync(string node, Func<ulong, ControllerMessage> ask, CancellationToken cancellationToken)
    {
        using var request = Begin([(node, ask)], stopWhenEnded: false);
        await foreach (var report in request.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            AgentRequest.ThrowIfFailed(report.Message);
            return report.Message;
        }

        throw new RpcException(new Status(StatusCode.Unavailable, $"the agent of node '{node}' went away before answering"));
    }

    /// <summary>
    /// Sends each node the message <paramref name="starts"/> makes of a new request id, and returns the request, whose
    /// reports the agents send under that id. Disposing it sends each node a <see cref="RequestStop"/>.
    /// </summary>
    /// <exception cref="RpcException">UNAVAILABLE when a node's agent is not connected; nothing was sent.</exception>
    public AgentRequest Start(IReadOnlyList<(string Node, Func<ulong, ControllerMessage> Start)> starts) => Begin(starts, stopWhenEnded: true);

    private AgentRequest Begin(IReadOnlyList<(string Node, Func<ulong, ControllerMessage> Start)> starts, bool stopWhenEnded)
    {
        ArgumentNullException.ThrowIfNull(starts);
        lock (_gate)
        {
            var involved = starts.Select(s => s.Node).Distinct().Select(node => _sessions.GetValueOrDefault(node)
                ?? throw new RpcException(new Status(StatusCode.Unavailable, $"the agent of node '{node}' is not connected; start it and retry"))).ToList();
            var request = new AgentRequest(++_lastRequestId, involved, ended => End(ended, stopWhenEnded));
            _requests[request.Id] = request;
            foreach (var (node, start) in starts)
            {
                _sessions[node].Ask(start(request.Id));
            }

            return request;
        }
    }

    private void End(AgentRequest request, bool stopWhenEnded)
    {
        lock (_gate)
        {
            if (_requests.Remove(request.Id) && stopWhenEnded)
            {
                foreach (var session in request.Sessions)
                {
                    session.Ask(new ControllerMessage { RequestStop = new RequestStop { RequestId = request.Id } });
                }
            }
        }
    }

    /// <summary>
    /// Records where the node runs now, as its agent says: its links are then recompiled to run there. Done after the
    /// session takes its first program, so a node that moved gets its new links as a diff on top of it.
    /// </summary>
    private void Place(Hello hello)
    {
        try
        {
            if (_model.SetNodeAddress(hello.NodeName, hello.Underlay))
            {
                _log($"controller: node {hello.NodeName} runs {(hello.Underlay.Length == 0 ? "with the controller" : $"at {hello.Underlay}")} now");
            }
        }
        catch (ModelException gone) when (gone.Error == ModelError.NotFound)
        {
            // Deleted since its hello: there is nothing to record.
        }
    }

    /// <summary>The id of the request an agent's message answers, if it answers one.</summary>
    private static ulong? RequestIdOf(AgentMessage message) => message.KindCase switch
    {
        AgentMessage.KindOneofCase.TraceReply => message.TraceReply.RequestId,
        AgentMessage.KindOneofCase.FlowsReply => message.FlowsReply.RequestId,
        AgentMessage.KindOneofCase.CapturedPacket => message.CapturedPacket.CaptureId,
        AgentMessage.KindOneofCase.CaptureDrops => message.CaptureDrops.CaptureId,
        AgentMessage.KindOneofCase.MirrorCounters => message.MirrorCounters.MirrorId,
        AgentMessage.KindOneofCase.PingEcho => message.PingEcho.PingId,
        AgentMessage.KindOneofCase.RequestFailed => message.RequestFailed.RequestId,
        _ => null,
    };

    /// <summary>Serves one agent's Agent.Connect stream, from its hello until it goes or is replaced.</summary>
    /// <param name="credentialNode">The node the stream's token names, which the hello must name too; null when the controller takes no tokens.</param>
    public async Task ConnectAsync(IAsyncStreamReader<AgentMessage> agent, IServerStreamWriter<ControllerMessage> controller, string? credentialNode, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(agent);
        var hello = (await agent.MoveNext(cancellationToken).ConfigureAwait(false) ? agent.Current.Hello : null)
            ?? throw new RpcException(new Status(StatusCode.InvalidArgument, "the first message of Agent.Connect must be a hello naming the node"));
        if (credentialNode is not null && credentialNode != hello.NodeName)
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied, $"this agent's token is node {credentialNode}'s; it may not connect as node {hello.NodeName}"));
        }

        CheckNode(hello);
        try
        {
            NodeRules.CheckAddress(hello.Underlay);
        }
        catch (ModelException bad)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"node {hello.NodeName}'s underlay: {bad.Message}"));
        }

        AgentSession session;
        lock (_gate)
        {
            session = new AgentSession(hello.NodeName, hello.AppliedVersion, _lastVersions.GetValueOrDefault(hello.NodeName));
            if (_sessions.Remove(hello.NodeName, out var older))
            {
                older.Replace();
                _log($"controller: a new agent of node {hello.NodeName} replaced the one connected before it");
            }

            _sessions[hello.NodeName] = session;
            session.Send(_programs.GetValueOrDefault(hello.NodeName, NodeProgram.Empty));
            _lastVersions[hello.NodeName] = session.LastVersion;
        }

        Place(hello);

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, session.Replaced);
        var pump = session.PumpAsync(controller, stop.Token);
        // A batch that cannot be sent ends the session, with the pump's error as its status.
        _ = pump.ContinueWith(_ => stop.Cancel(), CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        try
        {
            foreach (var link in hello.Links)
            {
                Take(session, new AgentMessage { LinkStatus = link });
            }

            await foreach (var message in agent.ReadAllAsync(stop.Token).ConfigureAwait(false))
            {
                Take(session, message);
            }
        }
        catch (OperationCanceledException) when (session.Replaced.IsCancellationRequested)
        {
            throw Volatile.Read(ref _closed)
                ? new RpcException(new Status(StatusCode.Unavailable, "the controller is shutting down; the node keeps its tables and reconnects"))
                : new RpcException(new Status(StatusCode.Aborted, $"a newer session of node '{session.Node}' replaced this one"));
        }
        finally
        {
            lock (_gate)
            {
                if (_sessions.TryGetValue(session.Node, out var current) && current == session)
                {
                    _sessions.Remove(session.Node);
                }

                var gone = new RpcException(new Status(StatusCode.Unavailable, $"the agent of node '{session.Node}' went away"));
                foreach (var request in _requests.Values.Where(r => r.Sessions.Contains(session)))
                {
                    request.Fail(gone);
                }
            }

            session.Stop();
            try
            {
                await pump.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // The session ended for another reason, which is what the agent is told.
            }

            session.Dispose();
        }
    }

    /// <summary>Takes one message of the agent: an answer to a request, an ack, a report; a link's liveness is also raised as <see cref="LinkStatusReported"/>.</summary>
    private void Take(AgentSession session, AgentMessage message)
    {
        lock (_gate)
        {
            if (RequestIdOf(message) is { } requestId)
            {
                if (_requests.GetValueOrDefault(requestId) is { } request && request.Sessions.Contains(session))
                {
                    request.Deliver(session.Node, message);
                }
            }
            else
            {
                switch (session.Receive(message))
                {
                    case AgentReceipt.Refused:
                        Refused(session, message.BatchAck);
                        break;
                    case AgentReceipt.Applied:
                        _failures.Remove(session.Node);
                        break;
                }
            }
        }

        if (message.LinkStatus is { } link)
        {
            LinkStatusReported?.Invoke(this, new LinkStatusReport(session.Node, link.Interface, link.Up));
        }
    }

    /// <summary>Records the refusal for <see cref="Stats"/> and sends full state: at once after a refused diff, later after a refused full state.</summary>
    private void Refused(AgentSession session, BatchAck ack)
    {
        _failures[session.Node] = $"version {ack.Version} refused: {(StatusCode)ack.Status}: {ack.Message}";
        if (session.Refused(ack.Version) is { } wait)
        {
            _ = ResyncLaterAsync(session, wait);
        }
        else
        {
            Resync(session);
        }
    }

    private async Task ResyncLaterAsync(AgentSession session, TimeSpan wait)
    {
        await Task.Delay(wait).ConfigureAwait(false);
        lock (_gate)
        {
            // Unless the session ended, or a publication sent the node full state meanwhile.
            if (_sessions.GetValueOrDefault(session.Node) == session && session.AwaitsFullState)
            {
                Resync(session);
            }
        }
    }

    private void Resync(AgentSession session)
    {
        session.Resync(_programs.GetValueOrDefault(session.Node, NodeProgram.Empty));
        _lastVersions[session.Node] = session.LastVersion;
    }

    private void CheckNode(Hello hello)
    {
        var state = _model.Snapshot();
        var isEdge = state.Edges.Any(e => e.Name == hello.NodeName);
        var isCore = state.CoreNodes.Any(c => c.Name == hello.NodeName);
        if (!isEdge && !isCore)
        {
            throw new RpcException(new Status(StatusCode.NotFound, $"node '{hello.NodeName}' is not in the model; create the edge or core node first"));
        }

        if (hello.Role != (isEdge ? NodeRole.Edge : NodeRole.Core))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"node '{hello.NodeName}' is {(isEdge ? "an edge" : "a core node")}, but its agent says {hello.Role}"));
        }
    }
}
