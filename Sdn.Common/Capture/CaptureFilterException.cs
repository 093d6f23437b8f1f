namespace Sdn.Common.Capture;

/// <summary>A capture filter expression that libpcap refused; the message is libpcap's own.</summary>
public sealed class CaptureFilterException : Exception
{
    public CaptureFilterException(string expression, string libpcapMessage)
        : base($"invalid capture filter '{expression}': {libpcapMessage}")
    {
        Expression = expression;
        LibpcapMessage = libpcapMessage;
    }

    public CaptureFilterException()
    {
    }

    public CaptureFilterException(string message)
        : base(message)
    {
    }

    public CaptureFilterException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public string Expression { get; } = "";

    public string LibpcapMessage { get; } = "";
}
