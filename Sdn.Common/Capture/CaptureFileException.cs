namespace Sdn.Common.Capture;

/// <summary>A capture file that cannot be read; the message names the file and the offset of the problem.</summary>
public sealed class CaptureFileException : Exception
{
    public CaptureFileException()
    {
    }

    public CaptureFileException(string message)
        : base(message)
    {
    }

    public CaptureFileException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
