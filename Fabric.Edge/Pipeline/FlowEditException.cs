namespace Sdn.Fabric.Edge.Pipeline;

/// <summary>A flow-mod or group-mod the pipeline refused; nothing was changed.</summary>
public sealed class FlowEditException : Exception
{
    public FlowEditException()
    {
    }

    public FlowEditException(string message)
        : base(message)
    {
    }

    public FlowEditException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public FlowEditException(FlowEditError error, string message)
        : base(message)
    {
        Error = error;
    }

    public FlowEditError Error { get; }
}
