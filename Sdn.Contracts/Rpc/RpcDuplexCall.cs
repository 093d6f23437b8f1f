using System.Runtime.CompilerServices;
using Google.Protobuf;

namespace Sdn.Contracts.Rpc;

/// <summary>
/// A bidirectional-streaming call: the client writes requests and reads responses independently,
/// then completes its side. Disposing an unfinished call cancels it.
/// </summary>
public sealed class RpcDuplexCall<TRequest, TResponse> : IAsyncDisposable
    where TRequest : class, IMessage<TRequest>, new()
    where TResponse : class, IMessage<TResponse>, new()
{
    private readonly RpcClientCall<TResponse> call;
    private readonly DuplexRequestContent content;
    private readonly MessageSink requests;

    internal RpcDuplexCall(RpcClientCall<TResponse> call, DuplexRequestContent content, int maxSendMessageSize)
    {
        this.call = call;
        this.content = content;
        requests = new MessageSink(content.Pipe, maxSendMessageSize);
    }

    public async Task WriteAsync(TRequest message)
    {
        try
        {
            await requests.WriteAsync(message, call.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not RpcException)
        {
            throw call.Translate(e);
        }
    }

    /// <summary>Half-closes the request stream: the server's reader sees its end.</summary>
    public Task CompleteRequestsAsync() =>
        requests.CloseAsync(StatusCode.FailedPrecondition, "the request stream was already completed", () =>
        {
            content.Complete();
            return Task.CompletedTask;
        });

    /// <summary>The next response, or null once the server has ended the call with OK.</summary>
    public ValueTask<TResponse?> ReadAsync() => call.ReadAsync();

    public async IAsyncEnumerable<TResponse> ReadAllAsync()
    {
        while (await call.ReadAsync().ConfigureAwait(false) is { } response)
        {
            yield return response;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await call.DisposeAsync().ConfigureAwait(false);
        content.Complete();
        requests.Dispose();
    }
}
