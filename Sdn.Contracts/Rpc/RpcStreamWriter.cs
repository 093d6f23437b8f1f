using Google.Protobuf;

namespace Sdn.Contracts.Rpc;

/// <summary>Sends the messages of a server's response stream.</summary>
public sealed class RpcStreamWriter<T>
    where T : class, IMessage<T>, new()
{
    private readonly MessageSink sink;
    private readonly CancellationToken cancellationToken;

    internal RpcStreamWriter(MessageSink sink, CancellationToken cancellationToken)
    {
        this.sink = sink;
        this.cancellationToken = cancellationToken;
    }

    /// <exception cref="RpcException">
    /// RESOURCE_EXHAUSTED for an oversize message; the call's final status once it has ended
    /// (DEADLINE_EXCEEDED, CANCELLED).
    /// </exception>
    public Task WriteAsync(T message) => sink.WriteAsync(message, cancellationToken);
}
