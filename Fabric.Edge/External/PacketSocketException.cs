namespace Sdn.Fabric.Edge.External;

/// <summary>A packet socket that could not be opened on its interface; the message says what to do.</summary>
public sealed class PacketSocketException : Exception
{
    public PacketSocketException()
    {
    }

    public PacketSocketException(string message)
        : base(message)
    {
    }

    public PacketSocketException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
