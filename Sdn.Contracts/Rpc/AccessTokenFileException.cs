namespace Sdn.Contracts.Rpc;

/// <summary>An access token file that cannot be used; the message names the file, and the line when one is at fault.</summary>
public sealed class AccessTokenFileException : Exception
{
    public AccessTokenFileException()
    {
    }

    public AccessTokenFileException(string message)
        : base(message)
    {
    }

    public AccessTokenFileException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
