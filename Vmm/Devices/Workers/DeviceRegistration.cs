using Sdn.Vmm.Interop;

namespace Sdn.Vmm.Devices.Workers;

/// <summary>One device served by <see cref="DeviceWorkers"/>: its doorbell, and whether a worker holds it.</summary>
internal sealed class DeviceRegistration(EventFd doorbell, IServedDevice device, ulong token)
{
    /// <summary>1 while a worker serves the device or re-arms its doorbell.</summary>
    internal int Serving;

    /// <summary>Set under the workers' lock; a removed device is neither served nor re-armed.</summary>
    internal volatile bool Removed;

    public EventFd Doorbell { get; } = doorbell;

    public IServedDevice Device { get; } = device;

    /// <summary>The epoll data that names the registration.</summary>
    public ulong Token { get; } = token;

    /// <summary>When the device asked to be served again although not signalled (a stopwatch timestamp; 0 = never).</summary>
    internal long RetryAt;
}
