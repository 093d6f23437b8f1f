namespace Sdn.Fabric.Core.Links;

/// <summary>A link or liveness session could not be set up; the message says what to change.</summary>
public sealed class LinkException : Exception
{
    public LinkException(string message)
        : base(message)
    {
    }

    public LinkException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public LinkException()
    {
    }
}
