using Grpc.Core;

namespace Sdn.Contracts.Southbound;

/// <summary>A program batch a node refuses as a whole; <see cref="Status"/> is what its ack carries.</summary>
public sealed class ProgramException : Exception
{
    public ProgramException()
    {
    }

    public ProgramException(string message)
        : this(StatusCode.InvalidArgument, message)
    {
    }

    public ProgramException(string message, Exception innerException)
        : base(message, innerException)
    {
        Status = StatusCode.InvalidArgument;
    }

    public ProgramException(StatusCode status, string message)
        : base(message)
    {
        Status = status;
    }

    public StatusCode Status { get; }
}
