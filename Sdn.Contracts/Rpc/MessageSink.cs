using System.IO.Pipelines;
using Google.Protobuf;

namespace Sdn.Contracts.Rpc;

/// <summary>
/// The sending half of one call. Writes are serialised, and closing waits for a write in progress,
/// so a deadline that ends the call from a timer never interleaves its status with a message.
/// </summary>
internal sealed class MessageSink : IDisposable
{
    private readonly SemaphoreSlim gate = new(1, 1);
    private readonly Task<PipeWriter> pipe;
    private readonly int maxMessageSize;
    private (StatusCode Status, string Message)? closedBecause;

    public MessageSink(Task<PipeWriter> pipe, int maxMessageSize)
    {
        this.pipe = pipe;
        this.maxMessageSize = maxMessageSize;
    }

    /// <param name="flush">
    /// False leaves the message buffered for whatever is sent next: a unary response then goes out
    /// together with its trailers.
    /// </param>
    /// <summary>Whether any message was written, sent yet or still buffered.</summary>
    public bool HasWritten { get; private set; }

    public async Task WriteAsync(IMessage message, CancellationToken cancellationToken, bool flush = true)
    {
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (closedBecause is { } closed)
            {
                throw new RpcException(closed.Status, closed.Message);
            }

            var writer = await pipe.WaitAsync(cancellationToken).ConfigureAwait(false);
            GrpcMessageFrame.Write(writer, message, maxMessageSize);
            HasWritten = true;
            if (!flush)
            {
                return;
            }

            var flushed = await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
            if (flushed.IsCompleted)
            {
                throw new RpcException(StatusCode.Cancelled, "the peer closed the stream");
            }
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// Runs <paramref name="finish"/> once, after any write in progress; later writes fail with
    /// <paramref name="status"/>. Returns false when the sink was already closed.
    /// </summary>
    public async Task<bool> CloseAsync(StatusCode status, string message, Func<Task> finish)
    {
        await gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (closedBecause is not null)
            {
                return false;
            }

            closedBecause = (status, message);
            await finish().ConfigureAwait(false);
            return true;
        }
        finally
        {
            gate.Release();
        }
    }

    public void Dispose() => gate.Dispose();
}
