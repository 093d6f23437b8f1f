using System.Diagnostics;
using Sdn.Common.Packets;

namespace Sdn.Common.Capture;

/// <summary>
/// One capture: a filter, limits and a ring that the taps of one or more ports feed and one
/// consumer drains (to a pcapng file, a gRPC stream or a terminal).
/// </summary>
/// <remarks>
/// The datapath only ever calls <see cref="Offer"/>: filter, then copy into the ring or count
/// a drop. It never waits on the consumer.
/// </remarks>
public sealed class CaptureSession : IDisposable
{
    /// <summary>Far longer than one burst takes through a tap.</summary>
    private static readonly TimeSpan DetachGrace = TimeSpan.FromSeconds(1);

    private readonly BpfFilter _filter;
    private readonly CaptureRing _ring;
    private readonly long _maxPackets;
    private readonly long _deadlineTimestamp;
    private long _seen;
    private long _matched;
    private long _captured;
    private long _dropped;
    private volatile bool _stopped;

    /// <exception cref="CaptureFilterException">The filter does not compile; the message is libpcap's.</exception>
    public CaptureSession(IReadOnlyList<CapturePort> ports, CaptureOptions options)
    {
        ArgumentNullException.ThrowIfNull(ports);
        ArgumentNullException.ThrowIfNull(options);
        if (ports.Count == 0)
        {
            throw new ArgumentException("a capture needs at least one port", nameof(ports));
        }

        if (options.SnapLength is < 1 or > CaptureOptions.MaxSnapLength)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.SnapLength, $"the snap length must be between 1 and {CaptureOptions.MaxSnapLength}");
        }

        if (ports.Select(p => p.LinkType).Distinct().Count() != 1)
        {
            throw new ArgumentException("one capture filter cannot serve ports of different link types", nameof(ports));
        }

        Ports = ports;
        Options = options;
        // Compiled for whole frames: libpcap's optimiser would otherwise drop every test that reads past the snap length.
        _filter = BpfFilter.Compile(options.Filter, ports[0].LinkType, CaptureOptions.MaxSnapLength);
        _ring = new CaptureRing(options.RingBytes, options.SnapLength);
        _maxPackets = options.MaxPackets;
        _deadlineTimestamp = options.MaxDuration is { } duration
            ? Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency)
            : long.MaxValue;
    }

    public IReadOnlyList<CapturePort> Ports { get; }

    public CaptureOptions Options { get; }

    /// <summary>Frames offered by the taps.</summary>
    public long Seen => Interlocked.Read(ref _seen);

    /// <summary>Frames the filter selected.</summary>
    public long Matched => Interlocked.Read(ref _matched);

    /// <summary>Frames put in the ring for the consumer.</summary>
    public long Captured => Interlocked.Read(ref _captured);

    /// <summary>Frames the filter selected but the ring had no room for, because the consumer was slow or the ring is smaller than the frame.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>True once the session was stopped or reached its packet count or duration.</summary>
    public bool IsComplete =>
        _stopped
        || (_maxPackets > 0 && Captured >= _maxPackets)
        || (_deadlineTimestamp != long.MaxValue && Stopwatch.GetTimestamp() >= _deadlineTimestamp);

    /// <summary>Called by a port's tap for one frame that crosses it.</summary>
    public void Offer(ReadOnlySpan<byte> frame, CaptureDirection direction, int portIndex)
    {
        if (IsComplete || !Wants(direction))
        {
            return;
        }

        Interlocked.Increment(ref _seen);
        OfferToFilter(frame, direction, portIndex);
    }

    /// <summary>Called by a port's tap for a burst that crosses it: the session's own checks are paid once a burst.</summary>
    public void OfferBurst(PacketBurst burst, CaptureDirection direction, int portIndex)
    {
        ArgumentNullException.ThrowIfNull(burst);
        if (IsComplete || !Wants(direction))
        {
            return;
        }

        Interlocked.Add(ref _seen, burst.Count);
        for (var i = 0; i < burst.Count; i++)
        {
            OfferToFilter(burst.Frame(i), direction, portIndex);
        }
    }

    /// <summary>Hands buffered frames to <paramref name="reader"/>; returns how many. One consumer only.</summary>
    public int Drain<TReader>(ref TReader reader)
        where TReader : struct, ICapturedFrameReader => _ring.Drain(ref reader);

    public void Stop() => _stopped = true;

    private bool Wants(CaptureDirection direction) => Options.Direction is not { } only || only == direction;

    private void OfferToFilter(ReadOnlySpan<byte> frame, CaptureDirection direction, int portIndex)
    {
        // The filter reads the whole frame and the snap length only cuts what is kept, as under tcpdump -s.
        if (!_filter.Matches(frame, frame.Length))
        {
            return;
        }

        Interlocked.Increment(ref _matched);
        var reserved = Interlocked.Increment(ref _captured);
        if (_maxPackets > 0 && reserved > _maxPackets)
        {
            Interlocked.Decrement(ref _captured);
            return;
        }

        if (!_ring.TryWrite(frame, CaptureClock.UnixNanoseconds(), direction, portIndex))
        {
            Interlocked.Decrement(ref _captured);
            Interlocked.Increment(ref _dropped);
        }
    }

    /// <summary>
    /// Stops the session now and disposes it a little later, for a session just detached from a running datapath: a
    /// thread that read the tap's attachments before the detach may still be filtering the rest of its burst.
    /// </summary>
    public void DisposeAfterDetach()
    {
        Stop();
        _ = Task.Delay(DetachGrace).ContinueWith(_ => Dispose(), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
    }

    public void Dispose()
    {
        Stop();
        _filter.Dispose();
    }
}
