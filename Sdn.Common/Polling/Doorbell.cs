using System.Runtime.InteropServices;
using Sdn.Common.Interop;

namespace Sdn.Common.Polling;

/// <summary>
/// How a polling thread (an edge, a core node) sleeps when it has nothing to do, without missing work: it parks in
/// poll() on an eventfd, which whoever hands it frames rings, and on the file descriptors of its ports that the
/// kernel fills (TAP devices). Busy threads never touch it, and a producer pays one fence and one load per
/// burst unless the consumer is parked, so the two cores stay with the threads that have work. A busy owner may
/// <see cref="Survey"/> its descriptors once a round, so that its ports skip the reads that would find nothing.
/// </summary>
/// <remarks>
/// The owner arms the doorbell, looks for work once more, and only then waits: a producer publishes its frames,
/// fences, and rings only if it sees the doorbell armed. Either the owner's last look finds the frames or the
/// producer sees the arming, so no wake-up is lost. The eventfd lives as long as the object: its owners (a
/// datapath, a core node) are not disposable, so a finalizer closes it.
/// </remarks>
public sealed unsafe class Doorbell
{
    // The descriptors one poll() asks about, beside the eventfd: enough for an edge's TAPs and uplinks.
    private const int MaxWatched = 63;

    private readonly int _eventFd;
    private readonly Lock _watchLock = new();
    private WatchedDescriptor[] _watched = [];
    private volatile int _armed;

    /// <exception cref="InvalidOperationException">The kernel refused an eventfd (too many open files).</exception>
    public Doorbell()
    {
        var fd = LibC.EventFd(0, LibC.EFD_NONBLOCK | LibC.EFD_CLOEXEC);
        if (fd < 0)
        {
            throw new InvalidOperationException($"cannot create an eventfd: {LibC.ErrorText(Marshal.GetLastPInvokeError())}; raise the open-file limit (ulimit -n)");
        }

        _eventFd = fd;
    }

    ~Doorbell() => LibC.Close(_eventFd);

    /// <summary>Also wakes the owner when <paramref name="descriptor"/> becomes readable.</summary>
    internal void Watch(WatchedDescriptor descriptor)
    {
        lock (_watchLock)
        {
            _watched = [.. _watched, descriptor];
        }
    }

    internal void Unwatch(WatchedDescriptor descriptor)
    {
        lock (_watchLock)
        {
            _watched = Array.FindAll(_watched, watched => watched != descriptor);
        }
    }

    /// <summary>
    /// Owner: asks the kernel in one poll() which watched descriptors are readable now, and marks the others found
    /// quiet (<see cref="WatchedDescriptor.TakeFoundQuiet"/>). One system call in place of a read per quiet
    /// descriptor; with fewer than two descriptors it would save none, so it asks nothing and marks none.
    /// </summary>
    public void Survey()
    {
        var watched = Volatile.Read(ref _watched);
        if (watched.Length < 2)
        {
            return;
        }

        var count = Math.Min(watched.Length, MaxWatched);
        var fds = stackalloc PollFd[count];
        AskForReading(fds, count, watched);

        // SAFETY: fds is a stack array of count pollfds, alive for the call.
        if (LibC.Poll(fds, (nuint)count, 0) < 0)
        {
            return;
        }

        for (var i = 0; i < count; i++)
        {
            watched[i].Surveyed(readable: fds[i].Revents != 0);
        }
    }

    /// <summary>Producer: call after publishing work; wakes the owner if it is parked or about to park.</summary>
    public void Ring()
    {
        Interlocked.MemoryBarrier();
        if (_armed != 0)
        {
            Wake();
        }
    }

    /// <summary>
    /// Wakes the owner's current park, or its next one at once: for a change to what it waits for (a new timer, a
    /// stop), which its last look for work would not find. Costs a system call every time, unlike <see cref="Ring"/>.
    /// </summary>
    public void Wake()
    {
        ulong one = 1;
        // SAFETY: one is a local 8-byte counter, as eventfd's write takes, alive for the call.
        LibC.Write(_eventFd, &one, sizeof(ulong));
    }

    /// <summary>
    /// Owner: arms, takes one last look for work with <paramref name="poll"/> (which returns how much it found),
    /// and sleeps unless it found some, until rung, a watched descriptor is readable, or
    /// <paramref name="timeoutMilliseconds"/> pass. Returns what the last look found.
    /// </summary>
    /// <param name="poll">A delegate the caller keeps, so parking allocates nothing.</param>
    public int Park(Func<int> poll, int timeoutMilliseconds)
    {
        ArgumentNullException.ThrowIfNull(poll);
        _armed = 1;
        Interlocked.MemoryBarrier();
        var found = poll();
        if (found == 0)
        {
            Wait(timeoutMilliseconds);
        }

        _armed = 0;
        return found;
    }

    /// <summary>Fills the <paramref name="count"/> pollfds at <paramref name="fds"/> with a request to read each of the first <paramref name="count"/> watched descriptors.</summary>
    private static void AskForReading(PollFd* fds, int count, WatchedDescriptor[] watched)
    {
        for (var i = 0; i < count; i++)
        {
            // SAFETY: the caller's fds spans at least count pollfds, and watched holds at least count descriptors.
            fds[i] = new PollFd { Fd = watched[i].Fd, Events = LibC.POLLIN };
        }
    }

    private void Wait(int timeoutMilliseconds)
    {
        var watched = Volatile.Read(ref _watched);
        var count = Math.Min(watched.Length, MaxWatched) + 1;
        var fds = stackalloc PollFd[count];
        fds[0] = new PollFd { Fd = _eventFd, Events = LibC.POLLIN };
        AskForReading(fds + 1, count - 1, watched);

        // SAFETY: fds is a stack array of count pollfds, alive for the call.
        if (LibC.Poll(fds, (nuint)count, timeoutMilliseconds) > 0 && (fds[0].Revents & LibC.POLLIN) != 0)
        {
            ulong rings;
            // SAFETY: rings is a local 8-byte counter, as eventfd's read fills, alive for the call.
            LibC.Read(_eventFd, &rings, sizeof(ulong));
        }
    }
}
