using Grpc.Core;
using Grpc.Net.Client;

namespace Sdn.Contracts.Rpc;

/// <summary>Opens the gRPC channels agents, the CLI and tests use to reach a controller.</summary>
public static class RpcChannels
{
    /// <summary>
    /// A channel to <paramref name="address"/> (http:// is HTTP/2 without TLS, https:// with it), which pings an
    /// idle connection to notice a dead peer and has no overall timeout: a watch or an agent stream may last for
    /// hours, so deadlines are per call. <paramref name="credentials"/> add a bearer token to every call and say
    /// whom a TLS controller's certificate must chain to.
    /// </summary>
    public static GrpcChannel ForAddress(Uri address, RpcSettings? settings = null, ClientCredentials? credentials = null)
    {
        settings ??= new RpcSettings();
        credentials ??= ClientCredentials.None;
        var handler = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = true,
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.Always,
            KeepAlivePingDelay = settings.KeepAlivePingDelay,
            KeepAlivePingTimeout = settings.KeepAlivePingTimeout,
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
        };
        if (credentials.TrustedAuthorities is not null)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                certificate is System.Security.Cryptography.X509Certificates.X509Certificate2 presented && credentials.Trusts(presented, errors);
        }

        return GrpcChannel.ForAddress(address, new GrpcChannelOptions
        {
            HttpHandler = handler,
            DisposeHttpClient = true,
            MaxReceiveMessageSize = settings.MaxReceiveMessageSize,
            MaxSendMessageSize = settings.MaxSendMessageSize,
            Credentials = credentials.Token is { } token ? BearerToken(address, token) : null,
            // A token may go over h2c: on loopback, or on a network its operator trusts with it.
            UnsafeUseInsecureChannelCallCredentials = true,
        });
    }

    private static ChannelCredentials BearerToken(Uri address, string token)
    {
        var bearer = CallCredentials.FromInterceptor((_, metadata) =>
        {
            metadata.Add("authorization", "Bearer " + token);
            return Task.CompletedTask;
        });
        return ChannelCredentials.Create(address.Scheme == Uri.UriSchemeHttps ? ChannelCredentials.SecureSsl : ChannelCredentials.Insecure, bearer);
    }
}
