using System.Diagnostics;

namespace Sdn.Fabric.Core.Links.Liveness;

/// <summary>
/// A BFD-like asynchronous-mode session (RFC 5880) over one link: it sends hellos every transmit interval
/// (jittered to 75–100 % as §6.8.7 asks), moves through Down, Init and Up as §6.8.6 describes, and declares
/// the peer down when no valid hello arrived within the detection time.
/// </summary>
/// <remarks>
/// The session is passive: the thread that drives the link calls <see cref="Poll"/> regularly and the link
/// hands it arriving hellos on that same thread, so it needs no lock, and time is an argument (tests drive it).
/// <see cref="State"/> may be read from any thread. <see cref="StateChanged"/> is raised on the driving
/// thread; subscribers (fast-failover groups, the controller agent) must return quickly.
/// Not implemented: the Poll/Final sequence, Demand mode, Echo, authentication, and the slow (≥ 1 s)
/// transmit rate while Down, since a fabric link wants to come up as fast as it goes down.
/// </remarks>
public sealed class LivenessSession
{
    private static int s_lastDiscriminator = Environment.ProcessId << 12;

    private readonly LinkEnd _link;
    private readonly Random _jitter;
    private readonly long _intervalTicks;
    private readonly uint _intervalMicroseconds;
    private readonly byte _detectMultiplier;
    private readonly byte[] _hello = new byte[LivenessHello.Size];

    private volatile LivenessState _state = LivenessState.Down;
    private LivenessDiagnostic _diagnostic;
    private uint _remoteDiscriminator;
    private long _detectionTicks;
    private long _lastValidHello;
    private long _nextTransmit;
    private long _hellosAccepted;
    private long _hellosRejected;

    /// <summary>Starts a session in Down over <paramref name="link"/>, which hands it the hellos it receives.</summary>
    public LivenessSession(LinkEnd link, LivenessOptions options)
    {
        options.Validate();
        _link = link;
        LocalDiscriminator = (uint)Interlocked.Increment(ref s_lastDiscriminator) | 1;
        _jitter = new Random((int)LocalDiscriminator);
        _intervalTicks = (long)(options.TxInterval.TotalSeconds * Stopwatch.Frequency);
        _intervalMicroseconds = (uint)options.TxInterval.TotalMicroseconds;
        _detectMultiplier = (byte)options.DetectMultiplier;
        link.Attach(this);
    }

    /// <summary>Raised on the driving thread whenever <see cref="State"/> changes.</summary>
    public event EventHandler<LivenessStateChange>? StateChanged;

    public uint LocalDiscriminator { get; }

    public LivenessState State => _state;

    public bool IsUp => _state == LivenessState.Up;

    /// <summary>Hellos that passed validation and the discriminator checks.</summary>
    public long HellosAccepted => Volatile.Read(ref _hellosAccepted);

    /// <summary>Hellos discarded: malformed, or addressed to another session.</summary>
    public long HellosRejected => Volatile.Read(ref _hellosRejected);

    /// <summary>When <see cref="Poll"/> next has work: the next hello, or the detection time's end while Init or Up.</summary>
    public long NextDue => _state is LivenessState.Init or LivenessState.Up
        ? Math.Min(_nextTransmit, _lastValidHello + _detectionTicks + 1)
        : _nextTransmit;

    /// <summary>Expires the detection timer and sends a hello when one is due. Call at least once per interval.</summary>
    public void Poll(long now)
    {
        if (_state is LivenessState.Init or LivenessState.Up && now - _lastValidHello > _detectionTicks)
        {
            _remoteDiscriminator = 0;
            ChangeState(LivenessState.Down, LivenessDiagnostic.ControlDetectionTimeExpired, now);
        }

        if (now >= _nextTransmit)
        {
            Transmit(now);
        }
    }

    internal void OnHello(ReadOnlySpan<byte> frame, long now)
    {
        if (!LivenessHello.TryRead(frame, out var packet)
            || (packet.YourDiscriminator != 0 && packet.YourDiscriminator != LocalDiscriminator)
            || (packet.YourDiscriminator == 0 && packet.State is not (LivenessState.Down or LivenessState.AdminDown)))
        {
            _hellosRejected++;
            return;
        }

        _hellosAccepted++;
        _remoteDiscriminator = packet.MyDiscriminator;
        _lastValidHello = now;
        var agreedMicroseconds = Math.Max(_intervalMicroseconds, packet.DesiredMinTxMicroseconds);
        _detectionTicks = (long)(packet.DetectMultiplier * (double)agreedMicroseconds * Stopwatch.Frequency / 1e6);

        var next = (_state, packet.State) switch
        {
            (not LivenessState.Down, LivenessState.AdminDown) => LivenessState.Down,
            (LivenessState.Down, LivenessState.Down) => LivenessState.Init,
            (LivenessState.Down, LivenessState.Init) => LivenessState.Up,
            (LivenessState.Init, LivenessState.Init or LivenessState.Up) => LivenessState.Up,
            (LivenessState.Up, LivenessState.Down) => LivenessState.Down,
            _ => _state,
        };

        if (next != _state)
        {
            ChangeState(next, next == LivenessState.Down ? LivenessDiagnostic.NeighborSignaledSessionDown : LivenessDiagnostic.None, now);

            // Tell the peer at once rather than at the next interval: it halves the time to come up.
            _nextTransmit = now;
        }
    }

    private void Transmit(long now)
    {
        var packet = new BfdControlPacket(
            _state, _diagnostic, _detectMultiplier, LocalDiscriminator, _remoteDiscriminator, _intervalMicroseconds, _intervalMicroseconds);
        LivenessHello.Write(_hello, packet);
        _link.SendHello(_hello);

        // RFC 5880 §6.8.7: jitter to 75–100 % of the interval, or 75–90 % with a multiplier of 1.
        var ceiling = _detectMultiplier == 1 ? 0.90 : 1.0;
        _nextTransmit = now + (long)(_intervalTicks * (0.75 + ((ceiling - 0.75) * _jitter.NextDouble())));
    }

    private void ChangeState(LivenessState next, LivenessDiagnostic diagnostic, long now)
    {
        var previous = _state;
        _state = next;
        if (next == LivenessState.Down)
        {
            _diagnostic = diagnostic;
        }

        StateChanged?.Invoke(this, new LivenessStateChange(_link.Name, previous, next, diagnostic, now));
    }
}
