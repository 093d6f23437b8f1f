using Google.Protobuf;

namespace Sdn.Contracts.Rpc;

/// <summary>One cached protobuf parser per message type.</summary>
internal static class MessageParsers<T>
    where T : class, IMessage<T>, new()
{
    public static readonly MessageParser<T> Instance = new(() => new T());
}
