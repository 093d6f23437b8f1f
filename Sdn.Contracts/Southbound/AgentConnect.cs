using Google.Protobuf;
using Grpc.Core;

namespace Sdn.Contracts.Southbound;

/// <summary>
/// Agent.Connect as agents call it: the generated method, except that the controller's messages are decoded by
/// <see cref="ControllerMessageDecoder"/>, which keeps a batch's flow-mods lean and gives what the generated parser
/// gives.
/// </summary>
public static class AgentConnect
{
    public static Method<AgentMessage, ControllerMessage> Method { get; } = new(
        MethodType.DuplexStreaming,
        Agent.Descriptor.FullName,
        "Connect",
        Marshallers.Create<AgentMessage>(Serialize, context => AgentMessage.Parser.ParseFrom(context.PayloadAsReadOnlySequence())),
        Marshallers.Create<ControllerMessage>(Serialize, context => ControllerMessageDecoder.Decode(context.PayloadAsReadOnlySequence())));

    private static void Serialize<T>(T message, SerializationContext context)
        where T : IBufferMessage
    {
        context.SetPayloadLength(message.CalculateSize());
        message.WriteTo(context.GetBufferWriter());
        context.Complete();
    }
}
