namespace Sdn.Fabric.Edge.Pipeline;

/// <summary>A flow-mod or group-mod the pipeline refused; nothing was changed.</summary>
public sealed class FlowModException : Exception
{
    public FlowModException()
    {
    }

    public FlowModException(string message)
        : base(message)
    {
    }

    public FlowModException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public FlowModException(FlowModError error, string message)
        : base(message)
    {
        Error = error;
    }

    public FlowModError Error { get; }
}
