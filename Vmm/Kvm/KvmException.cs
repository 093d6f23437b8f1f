namespace Sdn.Vmm.Kvm;

/// <summary>
/// An error from the KVM ioctl layer. The message names the call, the errno text and what to do about it.
/// </summary>
public sealed class KvmException : VmmException
{
    public KvmException()
    {
    }

    public KvmException(string message)
        : base(message)
    {
    }

    public KvmException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The errno of the failed call, or 0 when the error did not come from a call.</summary>
    public int Errno { get; init; }
}
