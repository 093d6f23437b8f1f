using Google.Protobuf.Reflection;
using Sdn.Fabric.Core.Rpc;

namespace Sdn.Fabric.Core.Protos;

/// <summary>The methods of the southbound sdn.v1.Agent service.</summary>
public static class AgentMethods
{
    public static readonly RpcMethod<AgentMessage, ControllerMessage> Connect =
        RpcMethod.Of<AgentMessage, ControllerMessage>(AgentReflection.Descriptor.FindTypeByName<ServiceDescriptor>("Agent"), "Connect");
}
