using System.IO.Pipelines;
using System.Net;

namespace Sdn.Contracts.Rpc;

/// <summary>
/// A request body that stays open while the client streams messages into it: HttpClient sends it
/// as DATA frames as they are written, and ends the stream (END_STREAM) once it is completed.
/// </summary>
internal sealed class DuplexRequestContent : HttpContent
{
    private readonly TaskCompletionSource<PipeWriter> pipe = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource completed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The request stream, once HttpClient has opened it.</summary>
    public Task<PipeWriter> Pipe => pipe.Task;

    /// <summary>Ends the request stream after what was written so far.</summary>
    public void Complete() => completed.TrySetResult();

    /// <summary>Fails writes that wait for a stream the failed request will never open.</summary>
    public void Fail(Exception reason) => pipe.TrySetException(reason);

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        var writer = PipeWriter.Create(stream, new StreamPipeWriterOptions(leaveOpen: true));
        pipe.TrySetResult(writer);
        await completed.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        await writer.CompleteAsync().ConfigureAwait(false);
    }

    protected override bool TryComputeLength(out long length)
    {
        length = -1;
        return false;
    }
}
