using System.Diagnostics;
using System.Runtime.InteropServices;
using Sdn.Common.Interop;
using Sdn.Vmm.Interop;

namespace Sdn.Vmm.Devices.Workers;

/// <summary>
/// The threads that serve the device work of every VM in the process: one per core, all waiting in one epoll set
/// on every device's doorbell (the eventfd that the guest's QueueNotify ioeventfd, backend kicks and reset signal),
/// each serving whichever device is ready. Threads do not grow with VMs, and an idle device costs nothing.
/// </summary>
/// <remarks>
/// Each doorbell is registered one-shot: once it fired, no other worker sees it until the one serving the device
/// re-arms it, so a device is served by one thread at a time, as when it had a thread of its own. The worker drains
/// the doorbell before the turn, so a signal during the turn fires again after the re-arm: no wake-up is lost.
/// A device still busy at the end of its turn rings its own doorbell and goes behind the others that are ready;
/// one whose backend is full is re-armed and also rung after a millisecond.
/// Re-arming happens before the device is released, and <see cref="Remove"/> waits for the release, so a
/// removed device's descriptor is never touched after its owner closes it.
/// </remarks>
internal sealed unsafe class DeviceWorkers
{
    private const int MaxEventsPerWait = 64;
    private const int RetryMilliseconds = 1;
    private static readonly long RetryTicks = Stopwatch.Frequency / 1000 * RetryMilliseconds;

    private readonly int _epoll;
    private readonly Lock _gate = new();
    private readonly Dictionary<ulong, DeviceRegistration> _registered = [];
    private readonly List<DeviceRegistration> _retries = [];
    private ulong _lastToken;
    private volatile bool _retryPending;

    /// <exception cref="VmmException">The kernel refused an epoll set.</exception>
    public DeviceWorkers(int threads)
    {
        _epoll = LibC.EpollCreate1(LibC.EPOLL_CLOEXEC);
        if (_epoll < 0)
        {
            throw new VmmException($"epoll_create1 failed: {LibC.ErrorText(Marshal.GetLastPInvokeError())} — raise the open-file limit (ulimit -n) if it is exhausted");
        }

        Threads = threads;
        for (var i = 0; i < threads; i++)
        {
            new Thread(Run, maxStackSize: 256 * 1024) { IsBackground = true, Name = "device worker" }.Start();
        }
    }

    /// <summary>The workers of the process: as many as it may use cores.</summary>
    public static DeviceWorkers Shared { get; } = new(Environment.ProcessorCount);

    public int Threads { get; }

    /// <summary>Serves <paramref name="device"/> whenever <paramref name="doorbell"/> is signalled, and once at once.</summary>
    /// <exception cref="VmmException">The kernel refused to watch the doorbell.</exception>
    public DeviceRegistration Add(EventFd doorbell, IServedDevice device)
    {
        DeviceRegistration registration;
        lock (_gate)
        {
            registration = new DeviceRegistration(doorbell, device, ++_lastToken);
            _registered.Add(registration.Token, registration);
        }

        var watch = new EpollEvent { Events = LibC.EPOLLIN | LibC.EPOLLONESHOT, Data = registration.Token };
        // SAFETY: watch is a local epoll_event, alive for the call.
        if (LibC.EpollCtl(_epoll, LibC.EPOLL_CTL_ADD, doorbell.Descriptor, &watch) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            lock (_gate)
            {
                _registered.Remove(registration.Token);
            }

            throw new VmmException($"epoll_ctl(ADD) of a device doorbell failed: {LibC.ErrorText(errno)} — raise the open-file limit (ulimit -n) if it is exhausted");
        }

        doorbell.Signal();
        return registration;
    }

    /// <summary>Stops serving a device; returns once no worker holds it, so its owner may close the doorbell.</summary>
    public void Remove(DeviceRegistration registration)
    {
        ArgumentNullException.ThrowIfNull(registration);
        lock (_gate)
        {
            registration.Removed = true;
            _registered.Remove(registration.Token);
            _retries.Remove(registration);
        }

        // A worker may hold it: then it sees Removed before re-arming, or re-arms before this deletes it.
        _ = LibC.EpollCtl(_epoll, LibC.EPOLL_CTL_DEL, registration.Doorbell.Descriptor, null);
        var spin = default(SpinWait);
        while (Volatile.Read(ref registration.Serving) != 0)
        {
            spin.SpinOnce();
        }
    }

    private void Run()
    {
        var events = stackalloc EpollEvent[MaxEventsPerWait];
        while (true)
        {
            var timeout = _retryPending ? RetryMilliseconds : -1;
            // SAFETY: events is a stack array of MaxEventsPerWait epoll_events, alive for the call.
            var ready = LibC.EpollWait(_epoll, events, MaxEventsPerWait, timeout);
            RingDueRetries();
            for (var i = 0; i < ready; i++)
            {
                if (Find(events[i].Data) is { } registration)
                {
                    Serve(registration);
                }
            }
        }
    }

    private DeviceRegistration? Find(ulong token)
    {
        lock (_gate)
        {
            return _registered.GetValueOrDefault(token);
        }
    }

    private void Serve(DeviceRegistration registration)
    {
        // Only the holder that is about to release it can hold it now: its doorbell fired again right after the re-arm.
        var spin = default(SpinWait);
        while (Interlocked.CompareExchange(ref registration.Serving, 1, 0) != 0)
        {
            spin.SpinOnce();
        }

        if (!registration.Removed)
        {
            registration.Doorbell.Drain();
            var outcome = registration.Device.Serve();
            if (outcome == ServeOutcome.Yield)
            {
                registration.Doorbell.Signal();
            }
            else if (outcome == ServeOutcome.RetrySoon)
            {
                ScheduleRetry(registration);
            }

            Rearm(registration);
        }

        Volatile.Write(ref registration.Serving, 0);
    }

    private void Rearm(DeviceRegistration registration)
    {
        if (registration.Removed)
        {
            return;
        }

        var watch = new EpollEvent { Events = LibC.EPOLLIN | LibC.EPOLLONESHOT, Data = registration.Token };
        // SAFETY: watch is a local epoll_event, alive for the call; Remove waits for this worker before the descriptor is closed.
        _ = LibC.EpollCtl(_epoll, LibC.EPOLL_CTL_MOD, registration.Doorbell.Descriptor, &watch);
    }

    private void ScheduleRetry(DeviceRegistration registration)
    {
        lock (_gate)
        {
            if (registration.Removed)
            {
                return;
            }

            if (registration.RetryAt == 0)
            {
                _retries.Add(registration);
            }

            registration.RetryAt = Stopwatch.GetTimestamp() + RetryTicks;
            _retryPending = true;
        }
    }

    /// <summary>Rings the doorbells of the devices whose retry is due; their owners cannot close them meanwhile (Remove takes the lock).</summary>
    private void RingDueRetries()
    {
        if (!_retryPending)
        {
            return;
        }

        lock (_gate)
        {
            var now = Stopwatch.GetTimestamp();
            for (var i = _retries.Count - 1; i >= 0; i--)
            {
                var registration = _retries[i];
                if (registration.RetryAt <= now)
                {
                    registration.RetryAt = 0;
                    _retries.RemoveAt(i);
                    registration.Doorbell.Signal();
                }
            }

            _retryPending = _retries.Count > 0;
        }
    }
}
