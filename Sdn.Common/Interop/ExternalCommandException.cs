namespace Sdn.Common.Interop;

/// <summary>A system tool that could not be run or that failed; the message carries its error output.</summary>
public sealed class ExternalCommandException : Exception
{
    public ExternalCommandException()
    {
    }

    public ExternalCommandException(string message)
        : base(message)
    {
    }

    public ExternalCommandException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
