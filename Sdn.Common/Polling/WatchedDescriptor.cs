namespace Sdn.Common.Polling;

/// <summary>
/// A file descriptor the kernel fills (a TAP device, a socket), watched by at most one <see cref="Doorbell"/> at a
/// time, so that a port or link can move its wake-ups from one polling thread to another, or stop them. The
/// doorbell's <see cref="Doorbell.Survey"/> also tells its reader when a read would find nothing.
/// </summary>
public sealed class WatchedDescriptor(int fd)
{
    private Doorbell? _doorbell;
    private bool _foundQuiet;

    public int Fd { get; } = fd;

    /// <summary>Has <paramref name="doorbell"/>, and no other, wake its owner when the descriptor becomes readable; null stops it.</summary>
    public void WakeOn(Doorbell? doorbell)
    {
        _doorbell?.Unwatch(this);
        _foundQuiet = false;
        _doorbell = doorbell;
        doorbell?.Watch(this);
    }

    /// <summary>
    /// Whether the doorbell's last survey found nothing to read here; a reader that skips its read on it picks up
    /// what arrived since at the next survey. Answers once per survey: false afterwards until the next.
    /// </summary>
    public bool TakeFoundQuiet()
    {
        var quiet = _foundQuiet;
        _foundQuiet = false;
        return quiet;
    }

    internal void Surveyed(bool readable) => _foundQuiet = !readable;
}
