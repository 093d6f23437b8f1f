namespace Sdn.Contracts.Rpc;

/// <summary>
/// The one error of the gRPC layer: a call ended with a status other than OK. Handlers throw it to
/// choose the status the client sees; clients catch it to learn how a call failed.
/// </summary>
public sealed class RpcException : Exception
{
    public RpcException(StatusCode status, string message)
        : base(message)
    {
        Status = status;
    }

    public RpcException(StatusCode status, string message, Exception innerException)
        : base(message, innerException)
    {
        Status = status;
    }

    public RpcException()
        : this(StatusCode.Unknown, "unknown error")
    {
    }

    public RpcException(string message)
        : this(StatusCode.Unknown, message)
    {
    }

    public RpcException(string message, Exception innerException)
        : this(StatusCode.Unknown, message, innerException)
    {
    }

    public StatusCode Status { get; }

    public override string ToString() => $"{Status}: {Message}";
}
