using Google.Protobuf;
using Grpc.Core;
using Sdn.Contracts;
using Sdn.Contracts.Southbound;
using Sdn.Fabric.Controller.Model;
using Sdn.Fabric.Controller.Southbound;

namespace Sdn.Fabric.Controller.Northbound;

/// <summary>
/// The northbound sdn.v1.Controller service over the model: create, get, list and delete for
/// every kind of object, link state, the whole state, and the event watch. A refused request
/// returns the model's reason as INVALID_ARGUMENT, NOT_FOUND, ALREADY_EXISTS or FAILED_PRECONDITION.
/// GetStats reports each node's agent session, GetStatus what the nodes made of each port, VM, host and link; Trace goes to the agent that owns the port, GetFlows to the edge's
/// agent; Capture, Mirror and Ping run on the agents through <see cref="LiveDebugging"/>. Those calls need the agents'
/// sessions, which only the leader of several controllers holds: a follower refuses them with UNAVAILABLE naming the
/// leader, for the client to call it there. Shutdown asks the process that serves the controller to stop.
/// </summary>
/// <remarks>
/// The generated base is named after the service, sdn.v1.Controller, which inside this project's namespaces
/// would mean the namespace <c>Sdn.Fabric.Controller</c>; hence the one qualified name.
/// </remarks>
public sealed class ControllerService : Contracts.Controller.ControllerBase
{
    /// <summary>
    /// How many changes a WatchEvents call may have queued unsent before it is ended with RESOURCE_EXHAUSTED.
    /// A client that reads keeps its queue near empty: the stream carries over 100,000 events a second over
    /// loopback, while every change is a whole-state commit (saved to disk, when the state has a directory),
    /// so the model changes far more slowly than a reading client drains. Only a client that stops reading
    /// (or a stream stalled as long) fills it. 10,000 is twice the largest fabric we measure (100 edges, 4
    /// cores, 250 networks and 5,000 ports: some 5,400 objects) made in one burst while the client does
    /// not read at all, and holds a stalled watcher to a few megabytes (an event is some hundreds of bytes
    /// in memory). The replay of <c>include_existing</c> does not count against it.
    /// </summary>
    public const int DefaultWatchLimit = 10_000;

    private readonly FabricModel _model;
    private readonly AgentHub _agents;
    private readonly LiveDebugging _debugging;
    private readonly Action _requestShutdown;
    private readonly int _watchLimit;
    private readonly Action<string> _requireLeader;

    /// <param name="requestShutdown">Starts stopping the process; it must not wait for the stop, so that Shutdown is answered first.</param>
    /// <param name="watchLimit">How many changes a WatchEvents call may fall behind; see <see cref="DefaultWatchLimit"/>.</param>
    /// <param name="requireLeader">
    /// Refuses a call that needs the node agents, given what it does, when this controller is one of several and
    /// does not lead; null for a lone controller, which holds every agent session.
    /// </param>
    public ControllerService(FabricModel model, AgentHub agents, Action requestShutdown, int watchLimit = DefaultWatchLimit, Action<string>? requireLeader = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(watchLimit, 1);
        this._model = model;
        this._agents = agents;
        this._requestShutdown = requestShutdown;
        this._watchLimit = watchLimit;
        this._requireLeader = requireLeader ?? (_ => { });
        _debugging = new LiveDebugging(model, agents);
    }

    public override Task<Tenant> CreateTenant(Tenant request, ServerCallContext context) => Create(ResourceKinds.Tenants, request);

    public override Task<Tenant> GetTenant(GetRequest request, ServerCallContext context) => Get(ResourceKinds.Tenants, request);

    public override Task<TenantList> ListTenants(ListRequest request, ServerCallContext context) => List(ResourceKinds.Tenants, items => new TenantList { Items = { items } });

    public override Task<DeleteReply> DeleteTenant(DeleteRequest request, ServerCallContext context) => Delete(ResourceKinds.Tenants, request);

    public override Task<Network> CreateNetwork(Network request, ServerCallContext context) => Create(ResourceKinds.Networks, request);

    public override Task<Network> GetNetwork(GetRequest request, ServerCallContext context) => Get(ResourceKinds.Networks, request);

    public override Task<NetworkList> ListNetworks(ListRequest request, ServerCallContext context) => List(ResourceKinds.Networks, items => new NetworkList { Items = { items } });

    public override Task<DeleteReply> DeleteNetwork(DeleteRequest request, ServerCallContext context) => Delete(ResourceKinds.Networks, request);

    public override Task<Port> CreatePort(Port request, ServerCallContext context) => Create(ResourceKinds.Ports, request);

    public override Task<Port> GetPort(GetRequest request, ServerCallContext context) => Get(ResourceKinds.Ports, request);

    public override Task<PortList> ListPorts(ListRequest request, ServerCallContext context) => List(ResourceKinds.Ports, items => new PortList { Items = { items } });

    public override Task<DeleteReply> DeletePort(DeleteRequest request, ServerCallContext context) => Delete(ResourceKinds.Ports, request);

    public override Task<AclRule> CreateAclRule(AclRule request, ServerCallContext context) => Create(ResourceKinds.AclRules, request);

    public override Task<AclRule> GetAclRule(GetRequest request, ServerCallContext context) => Get(ResourceKinds.AclRules, request);

    public override Task<AclRuleList> ListAclRules(ListRequest request, ServerCallContext context) => List(ResourceKinds.AclRules, items => new AclRuleList { Items = { items } });

    public override Task<DeleteReply> DeleteAclRule(DeleteRequest request, ServerCallContext context) => Delete(ResourceKinds.AclRules, request);

    public override Task<EdgeNode> CreateEdge(EdgeNode request, ServerCallContext context) => Create(ResourceKinds.Edges, request);

    public override Task<EdgeNode> GetEdge(GetRequest request, ServerCallContext context) => Get(ResourceKinds.Edges, request);

    public override Task<EdgeList> ListEdges(ListRequest request, ServerCallContext context) => List(ResourceKinds.Edges, items => new EdgeList { Items = { items } });

    public override Task<DeleteReply> DeleteEdge(DeleteRequest request, ServerCallContext context) => Delete(ResourceKinds.Edges, request);

    public override Task<CoreNode> CreateCoreNode(CoreNode request, ServerCallContext context) => Create(ResourceKinds.CoreNodes, request);

    public override Task<CoreNode> GetCoreNode(GetRequest request, ServerCallContext context) => Get(ResourceKinds.CoreNodes, request);

    public override Task<CoreNodeList> ListCoreNodes(ListRequest request, ServerCallContext context) => List(ResourceKinds.CoreNodes, items => new CoreNodeList { Items = { items } });

    public override Task<DeleteReply> DeleteCoreNode(DeleteRequest request, ServerCallContext context) => Delete(ResourceKinds.CoreNodes, request);

    public override Task<Link> CreateLink(Link request, ServerCallContext context) => Create(ResourceKinds.Links, request);

    public override Task<Link> GetLink(GetRequest request, ServerCallContext context) => Get(ResourceKinds.Links, request);

    public override Task<LinkList> ListLinks(ListRequest request, ServerCallContext context) => List(ResourceKinds.Links, items => new LinkList { Items = { items } });

    public override Task<DeleteReply> DeleteLink(DeleteRequest request, ServerCallContext context) => Delete(ResourceKinds.Links, request);

    public override Task<ExternalNetwork> CreateExternalNetwork(ExternalNetwork request, ServerCallContext context) => Create(ResourceKinds.ExternalNetworks, request);

    public override Task<ExternalNetwork> GetExternalNetwork(GetRequest request, ServerCallContext context) => Get(ResourceKinds.ExternalNetworks, request);

    public override Task<ExternalNetworkList> ListExternalNetworks(ListRequest request, ServerCallContext context) => List(ResourceKinds.ExternalNetworks, items => new ExternalNetworkList { Items = { items } });

    public override Task<DeleteReply> DeleteExternalNetwork(DeleteRequest request, ServerCallContext context) => Delete(ResourceKinds.ExternalNetworks, request);

    public override Task<Link> SetLinkState(SetLinkStateRequest request, ServerCallContext context) => Answer(() => _model.SetLinkState(request.Name, request.AdminDown));

    public override Task<FabricState> GetState(GetStateRequest request, ServerCallContext context) => Task.FromResult(_model.Snapshot());

    public override Task<StatsReply> GetStats(StatsRequest request, ServerCallContext context) => Answer(() =>
    {
        _requireLeader("a node's stats");
        return new StatsReply { Nodes = { _agents.Stats(request.Node) } };
    });

    public override Task<FabricStatus> GetStatus(StatusRequest request, ServerCallContext context) => Answer(() =>
    {
        _requireLeader("the fabric's status");
        return _agents.Status();
    });

    /// <summary>Runs the trace on the edge that owns the port, or from the external port of an external network's gateway edge.</summary>
    public override async Task<TraceResult> Trace(TraceRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _requireLeader("a trace");
        var ctState = 0u;
        if (request.CtState.Length > 0 && !CtStateText.TryParse(request.CtState, out ctState, out var error))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"ct_state: {error}"));
        }

        if (request.External.Length == 0)
        {
            var port = await Answer(() => _model.Get(ResourceKinds.Ports, request.Port)).ConfigureAwait(false);
            return await _agents.TraceAsync(port.Edge, port.Name, request.Packet, ctState, context.CancellationToken).ConfigureAwait(false);
        }

        if (request.Port.Length > 0)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"the packet arrives on port '{request.Port}' or from external network '{request.External}', not both: give one"));
        }

        var external = await Answer(() => _model.Get(ResourceKinds.ExternalNetworks, request.External)).ConfigureAwait(false);
        return await _agents.TraceAsync(external.Edge, external.Interface, request.Packet, ctState, context.CancellationToken).ConfigureAwait(false);
    }

    public override async Task<FlowDump> GetFlows(GetFlowsRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _requireLeader("a flow dump");
        var edge = await Answer(() => _model.Get(ResourceKinds.Edges, request.Edge)).ConfigureAwait(false);
        return await _agents.FlowsAsync(edge.Name, request.HasTableId ? request.TableId : null, context.CancellationToken).ConfigureAwait(false);
    }

    public override Task<ShutdownReply> Shutdown(ShutdownRequest request, ServerCallContext context)
    {
        _requestShutdown();
        return Task.FromResult(new ShutdownReply { Pid = (uint)Environment.ProcessId });
    }

    public override Task Capture(CaptureRequest request, IServerStreamWriter<CapturedPacket> responseStream, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _requireLeader("a capture");
        return _debugging.CaptureAsync(request, responseStream, context.CancellationToken);
    }

    public override Task Mirror(MirrorRequest request, IServerStreamWriter<MirrorCounters> responseStream, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _requireLeader("a mirror");
        return _debugging.MirrorAsync(request, responseStream, context.CancellationToken);
    }

    public override Task Ping(PingRequest request, IServerStreamWriter<PingEcho> responseStream, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _requireLeader("a ping");
        return _debugging.PingAsync(request, responseStream, context.CancellationToken);
    }

    /// <summary>
    /// Streams the model's changes until the client goes. The model never waits for the client: once the client
    /// falls more than the limit behind, its queue is let go, and the call ends with RESOURCE_EXHAUSTED after what
    /// was already sent (a client that does not read gets the status when it reads again). Cancelling the write in
    /// progress instead would make Kestrel reset the stream, and the client would see no status at all.
    /// </summary>
    public override async Task WatchEvents(WatchRequest request, IServerStreamWriter<Event> responseStream, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(responseStream);
        ArgumentNullException.ThrowIfNull(context);
        using var watch = _model.Watch(request.IncludeExisting, _watchLimit);
        await foreach (var change in watch.Reader.ReadAllAsync(context.CancellationToken).ConfigureAwait(false))
        {
            await responseStream.WriteAsync(change).ConfigureAwait(false);
        }

        throw watch.FellBehind
            ? new RpcException(new Status(
                StatusCode.ResourceExhausted,
                $"this watch fell more than {_watchLimit} events behind the model, because its client stopped reading or read too slowly, "
                + "and was ended; watch again with include_existing to get the current state and then every change"))
            : new InvalidOperationException("a model watch ended without falling behind");
    }

    /// <summary>Runs <paramref name="action"/> on the model; a refusal becomes the matching gRPC status.</summary>
    internal static Task<T> Answer<T>(Func<T> action)
    {
        try
        {
            return Task.FromResult(action());
        }
        catch (ModelException refused)
        {
            throw new RpcException(new Status(ToStatus(refused.Error), refused.Message, refused));
        }
    }

    private Task<T> Create<T>(ResourceKind<T> kind, T request)
        where T : class, IMessage<T>, new() => Answer(() => _model.Create(kind, request));

    private Task<T> Get<T>(ResourceKind<T> kind, GetRequest request)
        where T : class, IMessage<T>, new() => Answer(() => _model.Get(kind, request.Name));

    private Task<TList> List<T, TList>(ResourceKind<T> kind, Func<IEnumerable<T>, TList> toList)
        where T : class, IMessage<T>, new() => Answer(() => toList(_model.List(kind)));

    private Task<DeleteReply> Delete<T>(ResourceKind<T> kind, DeleteRequest request)
        where T : class, IMessage<T>, new() => Answer(() =>
        {
            _model.Delete(kind, request.Name);
            return new DeleteReply();
        });

    private static StatusCode ToStatus(ModelError error) => error switch
    {
        ModelError.InvalidArgument => StatusCode.InvalidArgument,
        ModelError.NotFound => StatusCode.NotFound,
        ModelError.AlreadyExists => StatusCode.AlreadyExists,
        ModelError.FailedPrecondition => StatusCode.FailedPrecondition,
        _ => StatusCode.Unknown,
    };
}
