namespace Sdn.Vmm;

/// <summary>
/// The VMM's error: creating or running a VM failed. The message says what went wrong and how to fix it.
/// </summary>
public class VmmException : Exception
{
    public VmmException()
    {
    }

    public VmmException(string message)
        : base(message)
    {
    }

    public VmmException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
