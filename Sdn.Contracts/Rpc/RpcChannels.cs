using Grpc.Net.Client;

namespace Sdn.Contracts.Rpc;

/// <summary>Opens the gRPC channels agents, the CLI and tests use to reach a controller.</summary>
public static class RpcChannels
{
    /// <summary>
    /// A channel to <paramref name="address"/> (http:// is HTTP/2 without TLS), which pings an idle connection to
    /// notice a dead peer and has no overall timeout: a watch or an agent stream may last for hours, so deadlines
    /// are per call.
    /// </summary>
    public static GrpcChannel ForAddress(Uri address, RpcSettings? settings = null)
    {
        settings ??= new RpcSettings();
        return GrpcChannel.ForAddress(address, new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler
            {
                EnableMultipleHttp2Connections = true,
                KeepAlivePingPolicy = HttpKeepAlivePingPolicy.Always,
                KeepAlivePingDelay = settings.KeepAlivePingDelay,
                KeepAlivePingTimeout = settings.KeepAlivePingTimeout,
                PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            },
            DisposeHttpClient = true,
            MaxReceiveMessageSize = settings.MaxReceiveMessageSize,
            MaxSendMessageSize = settings.MaxSendMessageSize,
        });
    }
}
