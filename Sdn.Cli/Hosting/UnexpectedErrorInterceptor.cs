using Grpc.Core;
using Grpc.Core.Interceptors;

namespace Sdn.Cli.Hosting;

/// <summary>
/// Ends a call whose handler failed with anything but an <see cref="RpcException"/> with INTERNAL and the
/// exception's type and message, so the client learns what broke; the gRPC server would otherwise answer
/// UNKNOWN with "Exception was thrown by handler." A handler that stops because its call was cancelled is left
/// to the server, which reports the cancellation or the deadline.
/// </summary>
internal sealed class UnexpectedErrorInterceptor : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        try
        {
            return await continuation(request, context).ConfigureAwait(false);
        }
        catch (Exception e) when (IsUnexpected(e, context))
        {
            throw Internal(e);
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        try
        {
            await continuation(request, responseStream, context).ConfigureAwait(false);
        }
        catch (Exception e) when (IsUnexpected(e, context))
        {
            throw Internal(e);
        }
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        try
        {
            await continuation(requestStream, responseStream, context).ConfigureAwait(false);
        }
        catch (Exception e) when (IsUnexpected(e, context))
        {
            throw Internal(e);
        }
    }

    private static bool IsUnexpected(Exception e, ServerCallContext context) =>
        e is not RpcException && !(e is OperationCanceledException && context.CancellationToken.IsCancellationRequested);

    private static RpcException Internal(Exception e) =>
        new(new Status(StatusCode.Internal, $"the handler failed: {e.GetType().Name}: {e.Message}", e));
}
