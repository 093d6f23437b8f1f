namespace Sdn.Contracts.Rpc;

/// <summary>The message limits and keepalive of one side of a gRPC connection: the controller's server, or a client's channel.</summary>
public sealed record RpcSettings
{
    /// <summary>4 MiB, the gRPC default: a larger message fails its call with RESOURCE_EXHAUSTED.</summary>
    public const int DefaultMessageLimit = 4 * 1024 * 1024;

    public int MaxReceiveMessageSize { get; init; } = DefaultMessageLimit;

    public int MaxSendMessageSize { get; init; } = DefaultMessageLimit;

    /// <summary>How long a connection may be idle before this side sends an HTTP/2 PING.</summary>
    public TimeSpan KeepAlivePingDelay { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>How long to wait for the PING's ACK before the connection is declared dead and closed.</summary>
    public TimeSpan KeepAlivePingTimeout { get; init; } = TimeSpan.FromSeconds(10);
}
