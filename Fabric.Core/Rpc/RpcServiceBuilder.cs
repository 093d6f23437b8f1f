using Google.Protobuf;

namespace Sdn.Fabric.Core.Rpc;

/// <summary>
/// Maps method paths to typed handlers: the whole of a service's server side is a list of
/// <c>AddUnary</c>, <c>AddServerStreaming</c> and <c>AddDuplex</c> calls. A handler fails a call
/// by throwing <see cref="RpcException"/>; any other exception becomes INTERNAL.
/// </summary>
public sealed class RpcServiceBuilder
{
    private readonly Dictionary<string, Func<RpcServerCall, Task>> handlers = new(StringComparer.Ordinal);

    public RpcServiceBuilder AddUnary<TRequest, TResponse>(
        RpcMethod<TRequest, TResponse> method,
        Func<TRequest, RpcCallContext, Task<TResponse>> handler)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new()
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(handler);
        return Add(method.Path, async call =>
        {
            var request = await call.ReadSingleRequestAsync<TRequest>().ConfigureAwait(false);
            var response = await handler(request, call.Context).ConfigureAwait(false);
            await call.WriteSingleResponseAsync(response).ConfigureAwait(false);
        });
    }

    public RpcServiceBuilder AddServerStreaming<TRequest, TResponse>(
        RpcMethod<TRequest, TResponse> method,
        Func<TRequest, RpcStreamWriter<TResponse>, RpcCallContext, Task> handler)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new()
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(handler);
        return Add(method.Path, async call =>
        {
            var request = await call.ReadSingleRequestAsync<TRequest>().ConfigureAwait(false);
            await handler(request, call.ResponseStream<TResponse>(), call.Context).ConfigureAwait(false);
        });
    }

    public RpcServiceBuilder AddDuplex<TRequest, TResponse>(
        RpcMethod<TRequest, TResponse> method,
        Func<RpcStreamReader<TRequest>, RpcStreamWriter<TResponse>, RpcCallContext, Task> handler)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new()
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(handler);
        return Add(method.Path, call => handler(call.RequestStream<TRequest>(), call.ResponseStream<TResponse>(), call.Context));
    }

    internal IReadOnlyDictionary<string, Func<RpcServerCall, Task>> Build() => new Dictionary<string, Func<RpcServerCall, Task>>(handlers, StringComparer.Ordinal);

    private RpcServiceBuilder Add(string path, Func<RpcServerCall, Task> handler)
    {
        if (!handlers.TryAdd(path, handler))
        {
            throw new ArgumentException($"{path} already has a handler", nameof(path));
        }

        return this;
    }
}
