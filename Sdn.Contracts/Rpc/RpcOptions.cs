namespace Sdn.Contracts.Rpc;

/// <summary>Limits and keepalive for one side of the gRPC layer (a server or a channel).</summary>
public sealed record RpcOptions
{
    /// <summary>The gRPC default: a larger message fails the call with RESOURCE_EXHAUSTED.</summary>
    public int MaxReceiveMessageSize { get; init; } = 4 * 1024 * 1024;

    public int MaxSendMessageSize { get; init; } = 4 * 1024 * 1024;

    /// <summary>How long a connection may be idle before this side sends an HTTP/2 PING.</summary>
    public TimeSpan KeepAlivePingDelay { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>How long to wait for the PING's ACK before the connection is declared dead and closed.</summary>
    public TimeSpan KeepAlivePingTimeout { get; init; } = TimeSpan.FromSeconds(10);
}
