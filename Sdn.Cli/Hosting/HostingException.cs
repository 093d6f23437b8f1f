namespace Sdn.Cli.Hosting;

/// <summary>The embedded fabric could not be brought up; the message says which part and what to do.</summary>
public sealed class HostingException : Exception
{
    public HostingException()
    {
    }

    public HostingException(string message)
        : base(message)
    {
    }

    public HostingException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
