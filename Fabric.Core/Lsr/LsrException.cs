namespace Sdn.Fabric.Core.Lsr;

/// <summary>An LFIB or a core node was set up wrongly; the message says what to change.</summary>
public sealed class LsrException : Exception
{
    public LsrException(string message)
        : base(message)
    {
    }

    public LsrException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public LsrException()
    {
    }
}
