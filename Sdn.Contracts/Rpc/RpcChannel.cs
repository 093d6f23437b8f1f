using System.Buffers;
using System.Runtime.CompilerServices;
using Google.Protobuf;

namespace Sdn.Contracts.Rpc;

/// <summary>
/// A gRPC client for one server: HttpClient's HTTP/2 with prior knowledge over cleartext (h2c),
/// pinging an idle connection to notice a dead peer. One channel multiplexes every call.
/// </summary>
public sealed class RpcChannel : IDisposable
{
    private readonly Uri address;
    private readonly RpcOptions options;
    private readonly HttpMessageInvoker invoker;

    public RpcChannel(Uri address, RpcOptions? options = null)
    {
        this.address = address;
        this.options = options ?? new RpcOptions();
        // An HttpMessageInvoker rather than an HttpClient: no overall request timeout, since a
        // stream may last for hours; deadlines are per call.
        invoker = new HttpMessageInvoker(
            new SocketsHttpHandler
            {
                EnableMultipleHttp2Connections = true,
                KeepAlivePingPolicy = HttpKeepAlivePingPolicy.Always,
                KeepAlivePingDelay = this.options.KeepAlivePingDelay,
                KeepAlivePingTimeout = this.options.KeepAlivePingTimeout,
                PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            },
            disposeHandler: true);
    }

    /// <param name="deadline">When the call must be over (UTC); sent as grpc-timeout and enforced here too.</param>
    /// <exception cref="RpcException">The call ended with a status other than OK.</exception>
    public async Task<TResponse> UnaryAsync<TRequest, TResponse>(
        RpcMethod<TRequest, TResponse> method, TRequest request, DateTime? deadline = null, CancellationToken cancellationToken = default)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new()
    {
        var call = Start(method, SingleMessage(request), deadline, cancellationToken);
        await using (call.ConfigureAwait(false))
        {
            return await call.ReadSingleAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Sends one request and yields the responses as they arrive; leaving the loop early cancels the call.</summary>
    public async IAsyncEnumerable<TResponse> ServerStreamingAsync<TRequest, TResponse>(
        RpcMethod<TRequest, TResponse> method, TRequest request, DateTime? deadline = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new()
    {
        var call = Start(method, SingleMessage(request), deadline, cancellationToken);
        await using (call.ConfigureAwait(false))
        {
            while (await call.ReadAsync().ConfigureAwait(false) is { } response)
            {
                yield return response;
            }
        }
    }

    public RpcDuplexCall<TRequest, TResponse> Duplex<TRequest, TResponse>(
        RpcMethod<TRequest, TResponse> method, DateTime? deadline = null, CancellationToken cancellationToken = default)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new()
    {
        var content = new DuplexRequestContent();
        var call = Start(method, content, deadline, cancellationToken);
        return new RpcDuplexCall<TRequest, TResponse>(call, content, options.MaxSendMessageSize);
    }

    public void Dispose() => invoker.Dispose();

    private RpcClientCall<TResponse> Start<TRequest, TResponse>(RpcMethod<TRequest, TResponse> method, HttpContent content, DateTime? deadline, CancellationToken cancellationToken)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new()
    {
        ArgumentNullException.ThrowIfNull(method);
        return new RpcClientCall<TResponse>(invoker, new Uri(address, method.Path), content, deadline, options, method.DecodeResponse, cancellationToken);
    }

    private ReadOnlyMemoryContent SingleMessage(IMessage request)
    {
        var frame = new ArrayBufferWriter<byte>();
        GrpcMessageFrame.Write(frame, request, options.MaxSendMessageSize);
        return new ReadOnlyMemoryContent(frame.WrittenMemory);
    }
}
