using System.Security.Cryptography;
using System.Text;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Sdn.Contracts.Rpc;

namespace Sdn.Fabric.Controller.Access;

/// <summary>
/// Lets a call through only with a bearer token of the controller's <see cref="AccessTokenFile"/>: the operator's
/// for the northbound API and server reflection, a node's for an agent stream, which then may speak for that node
/// only (<see cref="AgentCredential"/>). A missing or unknown token is UNAUTHENTICATED, a token used for what its
/// holder may not do PERMISSION_DENIED. Health checks need no token, so load balancers can probe.
/// </summary>
public sealed class TokenInterceptor : Interceptor
{
    private const string HealthService = "/grpc.health.v1.";
    private const string AgentService = "/sdn.v1.Agent/";
    private const string BearerPrefix = "Bearer ";

    // Keyed by the tokens' SHA-256, so that looking a token up reveals nothing of the tokens by its timing.
    private readonly Dictionary<string, string> _holderOfDigest = new(StringComparer.Ordinal);

    public TokenInterceptor(AccessTokenFile tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        foreach (var (holder, token) in tokens.Tokens)
        {
            _holderOfDigest[Digest(token)] = holder;
        }
    }

    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        Authorize(context);
        return continuation(request, context);
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        Authorize(context);
        return continuation(request, responseStream, context);
    }

    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        Authorize(context);
        return continuation(requestStream, context);
    }

    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        Authorize(context);
        return continuation(requestStream, responseStream, context);
    }

    private static string Digest(string token) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private void Authorize(ServerCallContext context)
    {
        if (context.Method.StartsWith(HealthService, StringComparison.Ordinal))
        {
            return;
        }

        var holder = HolderOf(context);
        var node = AccessTokenFile.NodeOf(holder);
        if (context.Method.StartsWith(AgentService, StringComparison.Ordinal))
        {
            AgentCredential.Set(context, node ?? throw Denied($"the operator's token cannot connect an agent; an agent needs its node's token ({AccessTokenFile.NodeHolder("NAME")})"));
        }
        else if (node is not null)
        {
            throw Denied($"the token of {holder} may only connect node {node}'s agent; {context.Method} needs the operator's token");
        }
    }

    private string HolderOf(ServerCallContext context)
    {
        var authorization = context.RequestHeaders.GetValue("authorization");
        if (authorization is null || !authorization.StartsWith(BearerPrefix, StringComparison.Ordinal))
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated, "this controller needs a token: pass --token-file FILE (sent as 'authorization: Bearer TOKEN')"));
        }

        return _holderOfDigest.TryGetValue(Digest(authorization[BearerPrefix.Length..]), out var holder)
            ? holder
            : throw new RpcException(new Status(StatusCode.Unauthenticated, "the token is not one of this controller's"));
    }

    private static RpcException Denied(string message) => new(new Status(StatusCode.PermissionDenied, message));
}
