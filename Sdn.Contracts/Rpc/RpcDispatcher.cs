using Microsoft.AspNetCore.Http;

namespace Sdn.Contracts.Rpc;

/// <summary>
/// Turns one HTTP/2 request into one gRPC call: checks it is a gRPC request, finds the handler,
/// arms the deadline, runs the handler and ends the call with its status.
/// </summary>
/// <remarks>
/// A deadline ends the call from here, while the handler may still be running: the client gets
/// DEADLINE_EXCEEDED on time even from a handler that ignores its token. The handler is still
/// awaited before returning, because Kestrel reuses the request's objects once this returns.
/// </remarks>
internal sealed class RpcDispatcher
{
    private readonly IReadOnlyDictionary<string, Func<RpcServerCall, Task>> handlers;
    private readonly RpcOptions options;

    public RpcDispatcher(IReadOnlyDictionary<string, Func<RpcServerCall, Task>> handlers, RpcOptions options)
    {
        this.handlers = handlers;
        this.options = options;
    }

    public async Task DispatchAsync(HttpContext http)
    {
        if (!HttpMethods.IsPost(http.Request.Method))
        {
            http.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            return;
        }

        if (!GrpcProtocol.IsGrpcContentType(http.Request.ContentType))
        {
            http.Response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
            return;
        }

        http.Response.ContentType = GrpcProtocol.ContentType;
        var timeout = GrpcTimeout.TryParse(http.Request.Headers[GrpcProtocol.TimeoutHeader], out var t) && t <= GrpcTimeout.MaxEnforceable ? t : (TimeSpan?)null;
        using var deadline = timeout is { } after ? new CancellationTokenSource(after) : new CancellationTokenSource();
        using var callCancellation = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, deadline.Token);
        using var call = new RpcServerCall(http, options, new RpcCallContext(http, DateTime.UtcNow + timeout, callCancellation.Token));

        if (!handlers.TryGetValue(http.Request.Path.Value ?? string.Empty, out var handler))
        {
            await call.CompleteAsync(StatusCode.Unimplemented, $"method {http.Request.Path} is not implemented by this server").ConfigureAwait(false);
            return;
        }

        var encoding = http.Request.Headers[GrpcProtocol.EncodingHeader].ToString();
        if (encoding.Length > 0 && encoding != GrpcProtocol.IdentityEncoding)
        {
            http.Response.Headers[GrpcProtocol.AcceptEncodingHeader] = GrpcProtocol.IdentityEncoding;
            await call.CompleteAsync(StatusCode.Unimplemented, $"grpc-encoding {encoding} is not supported; send uncompressed messages (identity)").ConfigureAwait(false);
            return;
        }

        var handled = RunAsync(handler, call, deadline.Token, http.RequestAborted);
        if (timeout is not null)
        {
            var deadlinePassed = Task.Delay(Timeout.Infinite, deadline.Token);
            if (await Task.WhenAny(handled, deadlinePassed).ConfigureAwait(false) == deadlinePassed)
            {
                await call.CompleteAsync(StatusCode.DeadlineExceeded, "deadline exceeded").ConfigureAwait(false);
            }
        }

        var (status, message) = await handled.ConfigureAwait(false);
        if (!http.RequestAborted.IsCancellationRequested)
        {
            await call.CompleteAsync(status, message).ConfigureAwait(false);
        }
    }

    private static async Task<(StatusCode Status, string Message)> RunAsync(
        Func<RpcServerCall, Task> handler, RpcServerCall call, CancellationToken deadline, CancellationToken aborted)
    {
        try
        {
            await handler(call).ConfigureAwait(false);
            return (StatusCode.OK, string.Empty);
        }
        catch (Exception) when (deadline.IsCancellationRequested)
        {
            return (StatusCode.DeadlineExceeded, "deadline exceeded");
        }
        catch (Exception) when (aborted.IsCancellationRequested)
        {
            return (StatusCode.Cancelled, "the client cancelled the call");
        }
        catch (RpcException e)
        {
            return (e.Status, e.Message);
        }
        catch (Google.Protobuf.InvalidProtocolBufferException e)
        {
            return (StatusCode.Internal, $"could not parse the request message: {e.Message}");
        }
#pragma warning disable CA1031 // Any failure of a handler must end its call with a status, never the server.
        catch (Exception e)
#pragma warning restore CA1031
        {
            return (StatusCode.Internal, $"the handler failed: {e.GetType().Name}: {e.Message}");
        }
    }
}
