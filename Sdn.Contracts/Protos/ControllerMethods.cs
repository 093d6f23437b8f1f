using Google.Protobuf.Reflection;
using Sdn.Contracts.Rpc;

namespace Sdn.Contracts;

/// <summary>The methods of the northbound sdn.v1.Controller service, for its server and its clients.</summary>
public static class ControllerMethods
{
    private static readonly ServiceDescriptor Service = ControllerReflection.Descriptor.FindTypeByName<ServiceDescriptor>("Controller");

    public static readonly RpcMethod<Tenant, Tenant> CreateTenant = Of<Tenant, Tenant>();
    public static readonly RpcMethod<GetRequest, Tenant> GetTenant = Of<GetRequest, Tenant>();
    public static readonly RpcMethod<ListRequest, TenantList> ListTenants = Of<ListRequest, TenantList>();
    public static readonly RpcMethod<DeleteRequest, DeleteReply> DeleteTenant = Of<DeleteRequest, DeleteReply>();

    public static readonly RpcMethod<Network, Network> CreateNetwork = Of<Network, Network>();
    public static readonly RpcMethod<GetRequest, Network> GetNetwork = Of<GetRequest, Network>();
    public static readonly RpcMethod<ListRequest, NetworkList> ListNetworks = Of<ListRequest, NetworkList>();
    public static readonly RpcMethod<DeleteRequest, DeleteReply> DeleteNetwork = Of<DeleteRequest, DeleteReply>();

    public static readonly RpcMethod<Port, Port> CreatePort = Of<Port, Port>();
    public static readonly RpcMethod<GetRequest, Port> GetPort = Of<GetRequest, Port>();
    public static readonly RpcMethod<ListRequest, PortList> ListPorts = Of<ListRequest, PortList>();
    public static readonly RpcMethod<DeleteRequest, DeleteReply> DeletePort = Of<DeleteRequest, DeleteReply>();

    public static readonly RpcMethod<AclRule, AclRule> CreateAclRule = Of<AclRule, AclRule>();
    public static readonly RpcMethod<GetRequest, AclRule> GetAclRule = Of<GetRequest, AclRule>();
    public static readonly RpcMethod<ListRequest, AclRuleList> ListAclRules = Of<ListRequest, AclRuleList>();
    public static readonly RpcMethod<DeleteRequest, DeleteReply> DeleteAclRule = Of<DeleteRequest, DeleteReply>();

    public static readonly RpcMethod<EdgeNode, EdgeNode> CreateEdge = Of<EdgeNode, EdgeNode>();
    public static readonly RpcMethod<GetRequest, EdgeNode> GetEdge = Of<GetRequest, EdgeNode>();
    public static readonly RpcMethod<ListRequest, EdgeList> ListEdges = Of<ListRequest, EdgeList>();
    public static readonly RpcMethod<DeleteRequest, DeleteReply> DeleteEdge = Of<DeleteRequest, DeleteReply>();

    public static readonly RpcMethod<CoreNode, CoreNode> CreateCoreNode = Of<CoreNode, CoreNode>();
    public static readonly RpcMethod<GetRequest, CoreNode> GetCoreNode = Of<GetRequest, CoreNode>();
    public static readonly RpcMethod<ListRequest, CoreNodeList> ListCoreNodes = Of<ListRequest, CoreNodeList>();
    public static readonly RpcMethod<DeleteRequest, DeleteReply> DeleteCoreNode = Of<DeleteRequest, DeleteReply>();

    public static readonly RpcMethod<Link, Link> CreateLink = Of<Link, Link>();
    public static readonly RpcMethod<GetRequest, Link> GetLink = Of<GetRequest, Link>();
    public static readonly RpcMethod<ListRequest, LinkList> ListLinks = Of<ListRequest, LinkList>();
    public static readonly RpcMethod<DeleteRequest, DeleteReply> DeleteLink = Of<DeleteRequest, DeleteReply>();

    public static readonly RpcMethod<SetLinkStateRequest, Link> SetLinkState = Of<SetLinkStateRequest, Link>();
    public static readonly RpcMethod<GetStateRequest, FabricState> GetState = Of<GetStateRequest, FabricState>();
    public static readonly RpcMethod<StatsRequest, StatsReply> GetStats = Of<StatsRequest, StatsReply>();
    public static readonly RpcMethod<TraceRequest, TraceResult> Trace = Of<TraceRequest, TraceResult>();
    public static readonly RpcMethod<GetFlowsRequest, FlowDump> GetFlows = Of<GetFlowsRequest, FlowDump>();
    public static readonly RpcMethod<ShutdownRequest, ShutdownReply> Shutdown = Of<ShutdownRequest, ShutdownReply>();
    public static readonly RpcMethod<CaptureRequest, CapturedPacket> Capture = Of<CaptureRequest, CapturedPacket>();
    public static readonly RpcMethod<MirrorRequest, MirrorCounters> Mirror = Of<MirrorRequest, MirrorCounters>();
    public static readonly RpcMethod<PingRequest, PingEcho> Ping = Of<PingRequest, PingEcho>();
    public static readonly RpcMethod<WatchRequest, Event> WatchEvents = Of<WatchRequest, Event>();

    private static RpcMethod<TRequest, TResponse> Of<TRequest, TResponse>([System.Runtime.CompilerServices.CallerMemberName] string name = "")
        where TRequest : class, Google.Protobuf.IMessage<TRequest>, new()
        where TResponse : class, Google.Protobuf.IMessage<TResponse>, new() =>
        RpcMethod.Of<TRequest, TResponse>(Service, name);
}
