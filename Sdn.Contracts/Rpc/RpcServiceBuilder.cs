using Google.Protobuf;

namespace Sdn.Contracts.Rpc;

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
        ArgumentNullException.ThrowIfNull(handler);
        return AddSingleRequest(method, async (request, call) =>
            await call.WriteSingleResponseAsync(await handler(request, call.Context).ConfigureAwait(false)).ConfigureAwait(false));
    }

    public RpcServiceBuilder AddServerStreaming<TRequest, TResponse>(
        RpcMethod<TRequest, TResponse> method,
        Func<TRequest, RpcStreamWriter<TResponse>, RpcCallContext, Task> handler)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new()
    {
        ArgumentNullException.ThrowIfNull(handler);
        return AddSingleRequest(method, (request, call) => handler(request, call.ResponseStream<TResponse>(), call.Context));
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

    /// <summary>Unary and server-streaming methods: exactly one request message, then the handler.</summary>
    private RpcServiceBuilder AddSingleRequest<TRequest, TResponse>(RpcMethod<TRequest, TResponse> method, Func<TRequest, RpcServerCall, Task> handler)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new()
    {
        ArgumentNullException.ThrowIfNull(method);
        return Add(method.Path, async call => await handler(await call.ReadSingleRequestAsync<TRequest>().ConfigureAwait(false), call).ConfigureAwait(false));
    }

    private RpcServiceBuilder Add(string path, Func<RpcServerCall, Task> handler)
    {
        if (!handlers.TryAdd(path, handler))
        {
            throw new ArgumentException($"{path} already has a handler", nameof(path));
        }

        return this;
    }
}
