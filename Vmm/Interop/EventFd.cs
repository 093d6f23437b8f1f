using System.Runtime.InteropServices;
using Sdn.Common.Interop;

namespace Sdn.Vmm.Interop;

/// <summary>
/// A Linux eventfd: a counter the kernel (ioeventfd, irqfd) and our threads signal and wait on.
/// </summary>
internal sealed unsafe class EventFd : IDisposable
{
    private int _fd;

    public EventFd()
    {
        _fd = LibC.EventFd(0, LibC.EFD_CLOEXEC | LibC.EFD_NONBLOCK);
        if (_fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new VmmException($"eventfd failed: {LibC.ErrorText(errno)} — raise the open-file limit (ulimit -n) if it is exhausted");
        }
    }

    public int Descriptor => _fd;

    /// <summary>Adds one to the counter, waking any waiter. Does nothing once disposed.</summary>
    public void Signal()
    {
        var fd = Volatile.Read(ref _fd);
        if (fd < 0)
        {
            return;
        }

        ulong one = 1;
        // SAFETY: writes 8 bytes from a local to a descriptor we own; eventfd takes exactly a u64.
        _ = LibC.Write(fd, &one, sizeof(ulong));
    }

    /// <summary>Resets the counter to zero. Returns true when it had been signalled.</summary>
    public bool Drain()
    {
        ulong value;
        // SAFETY: reads 8 bytes into a local; the descriptor is non-blocking so this never waits.
        return LibC.Read(_fd, &value, sizeof(ulong)) == sizeof(ulong);
    }

    /// <summary>Waits until signalled or <paramref name="timeoutMilliseconds"/> pass (-1: forever), then drains.</summary>
    public bool Wait(int timeoutMilliseconds)
    {
        var pollFd = new PollFd { Fd = _fd, Events = LibC.POLLIN };
        // SAFETY: one pollfd on the stack, valid for the duration of the call.
        var ready = LibC.Poll(&pollFd, 1, timeoutMilliseconds);
        return ready > 0 && Drain();
    }

    public void Dispose()
    {
        var fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0)
        {
            _ = LibC.Close(fd);
        }
    }
}
