using Google.Protobuf;
using Sdn.Fabric.Controller.Model;
using Sdn.Fabric.Controller.Southbound;
using Sdn.Contracts;
using Sdn.Contracts.Rpc;

namespace Sdn.Fabric.Controller.Northbound;

/// <summary>
/// The northbound sdn.v1.Controller service over the model: create, get, list and delete for
/// every kind of object, link state, the whole state, and the event watch. A refused request
/// returns the model's reason as INVALID_ARGUMENT, NOT_FOUND, ALREADY_EXISTS or FAILED_PRECONDITION.
/// GetStats reports each node's agent session; Trace goes to the agent that owns the port, GetFlows to the edge's
/// agent (Capture, Mirror and Ping are the <see cref="LiveDebuggingService"/>'s). Shutdown asks the process that
/// serves the controller to stop.
/// </summary>
public sealed class ControllerService
{
    /// <summary>
    /// How many changes a WatchEvents call may have queued unsent before it is ended with RESOURCE_EXHAUSTED.
    /// A client that reads keeps its queue near empty: the stream carries some 200,000 events a second over
    /// loopback, while every change is a whole-state commit (saved to disk, when the state has a directory),
    /// so the model changes far more slowly than a reading client drains. Only a client that stops reading
    /// (or a stream stalled as long) fills it. 10,000 is twice the largest fabric we measure (100 edges, 4
    /// cores, 250 networks and 5,000 ports: some 5,400 objects) made in one burst while the client does
    /// not read at all, and holds a stalled watcher to a few megabytes (an event is some hundreds of bytes
    /// in memory). The replay of <c>include_existing</c> does not count against it.
    /// </summary>
    public const int DefaultWatchLimit = 10_000;

    private readonly FabricModel model;
    private readonly AgentHub agents;
    private readonly Action requestShutdown;
    private readonly int watchLimit;

    /// <param name="requestShutdown">Starts stopping the process; it must not wait for the stop, so that Shutdown is answered first.</param>
    /// <param name="watchLimit">How many changes a WatchEvents call may fall behind; see <see cref="DefaultWatchLimit"/>.</param>
    public ControllerService(FabricModel model, AgentHub agents, Action requestShutdown, int watchLimit = DefaultWatchLimit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(watchLimit, 1);
        this.model = model;
        this.agents = agents;
        this.requestShutdown = requestShutdown;
        this.watchLimit = watchLimit;
    }

    public RpcServiceBuilder AddTo(RpcServiceBuilder services)
    {
        AddResource(services, ResourceKinds.Tenants, ControllerMethods.CreateTenant, ControllerMethods.GetTenant, ControllerMethods.ListTenants, ControllerMethods.DeleteTenant, items => new TenantList { Items = { items } });
        AddResource(services, ResourceKinds.Networks, ControllerMethods.CreateNetwork, ControllerMethods.GetNetwork, ControllerMethods.ListNetworks, ControllerMethods.DeleteNetwork, items => new NetworkList { Items = { items } });
        AddResource(services, ResourceKinds.Ports, ControllerMethods.CreatePort, ControllerMethods.GetPort, ControllerMethods.ListPorts, ControllerMethods.DeletePort, items => new PortList { Items = { items } });
        AddResource(services, ResourceKinds.AclRules, ControllerMethods.CreateAclRule, ControllerMethods.GetAclRule, ControllerMethods.ListAclRules, ControllerMethods.DeleteAclRule, items => new AclRuleList { Items = { items } });
        AddResource(services, ResourceKinds.Edges, ControllerMethods.CreateEdge, ControllerMethods.GetEdge, ControllerMethods.ListEdges, ControllerMethods.DeleteEdge, items => new EdgeList { Items = { items } });
        AddResource(services, ResourceKinds.CoreNodes, ControllerMethods.CreateCoreNode, ControllerMethods.GetCoreNode, ControllerMethods.ListCoreNodes, ControllerMethods.DeleteCoreNode, items => new CoreNodeList { Items = { items } });
        AddResource(services, ResourceKinds.Links, ControllerMethods.CreateLink, ControllerMethods.GetLink, ControllerMethods.ListLinks, ControllerMethods.DeleteLink, items => new LinkList { Items = { items } });

        return services
            .AddUnary(ControllerMethods.SetLinkState, (request, _) => Answer(() => model.SetLinkState(request.Name, request.AdminDown)))
            .AddUnary(ControllerMethods.GetState, (_, _) => Task.FromResult(model.Snapshot()))
            .AddUnary(ControllerMethods.GetStats, (request, _) => Answer(() => new StatsReply { Nodes = { agents.Stats(request.Node) } }))
            .AddUnary(ControllerMethods.Trace, TraceAsync)
            .AddUnary(ControllerMethods.GetFlows, FlowsAsync)
            .AddUnary(ControllerMethods.Shutdown, (_, _) =>
            {
                requestShutdown();
                return Task.FromResult(new ShutdownReply { Pid = (uint)Environment.ProcessId });
            })
            .AddServerStreaming(ControllerMethods.WatchEvents, WatchAsync);
    }

    private void AddResource<T, TList>(
        RpcServiceBuilder services,
        ResourceKind<T> kind,
        RpcMethod<T, T> create,
        RpcMethod<GetRequest, T> get,
        RpcMethod<ListRequest, TList> list,
        RpcMethod<DeleteRequest, DeleteReply> delete,
        Func<IEnumerable<T>, TList> toList)
        where T : class, IMessage<T>, new()
        where TList : class, IMessage<TList>, new()
    {
        services
            .AddUnary(create, (request, _) => Answer(() => model.Create(kind, request)))
            .AddUnary(get, (request, _) => Answer(() => model.Get(kind, request.Name)))
            .AddUnary(list, (_, _) => Answer(() => toList(model.List(kind))))
            .AddUnary(delete, (request, _) => Answer(() =>
            {
                model.Delete(kind, request.Name);
                return new DeleteReply();
            }));
    }

    /// <summary>Runs the trace on the edge that owns the port.</summary>
    private async Task<TraceResult> TraceAsync(TraceRequest request, RpcCallContext context)
    {
        var port = await Answer(() => model.Get(ResourceKinds.Ports, request.Port)).ConfigureAwait(false);
        return await agents.TraceAsync(port.Edge, port.Name, request.Packet, context.CancellationToken).ConfigureAwait(false);
    }

    private async Task<FlowDump> FlowsAsync(GetFlowsRequest request, RpcCallContext context)
    {
        var edge = await Answer(() => model.Get(ResourceKinds.Edges, request.Edge)).ConfigureAwait(false);
        return await agents.FlowsAsync(edge.Name, request.HasTableId ? request.TableId : null, context.CancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Streams the model's changes until the client goes. The model never waits for the client: once the client
    /// falls more than the limit behind, its queue is let go, and the call ends with RESOURCE_EXHAUSTED after what
    /// was already sent (a client that does not read gets the status when it reads again). Cancelling the write in
    /// progress instead would make Kestrel reset the stream, and the client would see no status at all.
    /// </summary>
    private async Task WatchAsync(WatchRequest request, RpcStreamWriter<Event> events, RpcCallContext context)
    {
        using var watch = model.Watch(request.IncludeExisting, watchLimit);
        await foreach (var change in watch.Reader.ReadAllAsync(context.CancellationToken).ConfigureAwait(false))
        {
            await events.WriteAsync(change).ConfigureAwait(false);
        }

        throw watch.FellBehind
            ? new RpcException(
                StatusCode.ResourceExhausted,
                $"this watch fell more than {watchLimit} events behind the model, because its client stopped reading or read too slowly, "
                + "and was ended; watch again with include_existing to get the current state and then every change")
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
            throw new RpcException(ToStatus(refused.Error), refused.Message, refused);
        }
    }

    private static StatusCode ToStatus(ModelError error) => error switch
    {
        ModelError.InvalidArgument => StatusCode.InvalidArgument,
        ModelError.NotFound => StatusCode.NotFound,
        ModelError.AlreadyExists => StatusCode.AlreadyExists,
        ModelError.FailedPrecondition => StatusCode.FailedPrecondition,
        _ => StatusCode.Unknown,
    };
}
