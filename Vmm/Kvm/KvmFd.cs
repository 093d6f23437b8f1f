using System.Runtime.InteropServices;
using Sdn.Common.Interop;

namespace Sdn.Vmm.Kvm;

/// <summary>
/// A KVM file descriptor (the system, a VM or a vCPU) and the checked ioctl call all three share.
/// </summary>
internal abstract class KvmFd : IDisposable
{
    protected KvmFd(int fd)
    {
        Descriptor = fd;
    }

    public int Descriptor { get; private set; }

    /// <summary>Runs an ioctl and returns its result; a failure throws a <see cref="KvmException"/> naming <paramref name="what"/>.</summary>
    public int Ioctl(string what, nuint request, nint argument)
    {
        var result = LibC.Ioctl(Descriptor, request, argument);
        if (result < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new KvmException($"{what} failed: {LibC.ErrorText(errno)} (errno {errno}) — check `dmesg` for KVM messages; the host kernel may lack this KVM capability")
            {
                Errno = errno,
            };
        }

        return result;
    }

    /// <summary>Runs an ioctl whose argument is a struct passed by pointer.</summary>
    public unsafe int Ioctl<T>(string what, nuint request, ref T argument)
        where T : unmanaged
    {
        // SAFETY: the struct is pinned by `fixed` for the duration of the call and has the kernel's layout.
        fixed (T* pointer = &argument)
        {
            return Ioctl(what, request, (nint)pointer);
        }
    }

    protected virtual void Dispose(bool disposing)
    {
        if (Descriptor >= 0)
        {
            _ = LibC.Close(Descriptor);
            Descriptor = -1;
        }
    }

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }
}
