namespace Sdn.Fabric.Edge.Tap;

/// <summary>A TAP device that could not be created or used; the message says what to do.</summary>
public sealed class TapException : Exception
{
    public TapException()
    {
    }

    public TapException(string message)
        : base(message)
    {
    }

    public TapException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
