namespace Sdn.Common.Polling;

/// <summary>
/// A file descriptor the kernel fills (a TAP device, a socket), watched by at most one <see cref="Doorbell"/> at a
/// time, so that a port or link can move its wake-ups from one polling thread to another, or stop them.
/// </summary>
public sealed class WatchedDescriptor(int fd)
{
    private Doorbell? _doorbell;

    /// <summary>Has <paramref name="doorbell"/>, and no other, wake its owner when the descriptor becomes readable; null stops it.</summary>
    public void WakeOn(Doorbell? doorbell)
    {
        _doorbell?.Unwatch(fd);
        _doorbell = doorbell;
        doorbell?.Watch(fd);
    }
}
