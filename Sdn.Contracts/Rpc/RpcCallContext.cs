using Microsoft.AspNetCore.Http;

namespace Sdn.Contracts.Rpc;

/// <summary>What a server handler knows about the call it serves.</summary>
public sealed class RpcCallContext
{
    private readonly HttpContext http;

    internal RpcCallContext(HttpContext http, DateTime? deadline, CancellationToken cancellationToken)
    {
        this.http = http;
        Deadline = deadline;
        CancellationToken = cancellationToken;
    }

    /// <summary>The HTTP/2 path, such as /sdn.v1.Controller/CreateNetwork.</summary>
    public string Method => http.Request.Path.Value ?? string.Empty;

    /// <summary>When the client's grpc-timeout runs out (UTC), or null when it sent none.</summary>
    public DateTime? Deadline { get; }

    /// <summary>Fires when the deadline passes or the client cancels (RST_STREAM) or disconnects.</summary>
    public CancellationToken CancellationToken { get; }

    public string Peer => $"{http.Connection.RemoteIpAddress}:{http.Connection.RemotePort}";

    public string? GetRequestHeader(string name) => http.Request.Headers.TryGetValue(name, out var value) ? value.ToString() : null;
}
