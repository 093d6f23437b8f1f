using Google.Protobuf;

namespace Sdn.Fabric.Core.Rpc;

/// <summary>One cached protobuf parser per message type.</summary>
internal static class MessageParsers<T>
    where T : class, IMessage<T>, new()
{
    public static readonly MessageParser<T> Instance = new(() => new T());
}
