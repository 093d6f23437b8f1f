using Google.Protobuf.Reflection;
using Sdn.Contracts.Rpc;
using Sdn.Contracts.Southbound;

namespace Sdn.Contracts;

/// <summary>The methods of the southbound sdn.v1.Agent service.</summary>
public static class AgentMethods
{
    /// <summary>Agents decode the controller's batches with <see cref="ControllerMessageDecoder"/>, which keeps their flow-mods lean.</summary>
    public static readonly RpcMethod<AgentMessage, ControllerMessage> Connect =
        RpcMethod.Of<AgentMessage, ControllerMessage>(AgentReflection.Descriptor.FindTypeByName<ServiceDescriptor>("Agent"), "Connect")
            with { DecodeResponse = ControllerMessageDecoder.Decode };
}
