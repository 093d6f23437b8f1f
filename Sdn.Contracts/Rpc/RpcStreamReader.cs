using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using Google.Protobuf;

namespace Sdn.Contracts.Rpc;

/// <summary>
/// Reads the length-prefixed messages of one direction of a call, one at a time, straight out of
/// the transport's buffers.
/// </summary>
public sealed class RpcStreamReader<T>
    where T : class, IMessage<T>, new()
{
    private readonly PipeReader pipe;
    private readonly int maxMessageSize;
    private readonly Func<ReadOnlySequence<byte>, T> decode;

    /// <param name="decode">Decodes a message's bytes; the generated parser when null.</param>
    internal RpcStreamReader(PipeReader pipe, int maxMessageSize, Func<ReadOnlySequence<byte>, T>? decode = null)
    {
        this.pipe = pipe;
        this.maxMessageSize = maxMessageSize;
        this.decode = decode ?? MessageParsers<T>.Instance.ParseFrom;
    }

    /// <summary>The next message, or null once the sender has half-closed its side of the stream.</summary>
    /// <exception cref="RpcException">INTERNAL when the stream ends inside a message.</exception>
    public async ValueTask<T?> ReadAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var result = await pipe.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            if (GrpcMessageFrame.TryRead(ref buffer, maxMessageSize, out var payload))
            {
                var message = decode(payload);
                pipe.AdvanceTo(buffer.Start);
                return message;
            }

            if (result.IsCompleted || result.IsCanceled)
            {
                var truncated = !buffer.IsEmpty;
                pipe.AdvanceTo(buffer.End);
                return truncated
                    ? throw new RpcException(StatusCode.Internal, "the stream ended in the middle of a message")
                    : null;
            }

            pipe.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    public async IAsyncEnumerable<T> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (await ReadAsync(cancellationToken).ConfigureAwait(false) is { } message)
        {
            yield return message;
        }
    }
}
