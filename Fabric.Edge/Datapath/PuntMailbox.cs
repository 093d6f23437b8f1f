namespace Sdn.Fabric.Edge.Datapath;

/// <summary>
/// Frames on their way to the controller, rate-limited by a token bucket so a flood of misses cannot
/// swamp the control channel; what the bucket refuses is counted and dropped.
/// </summary>
public sealed class PuntMailbox(TimeProvider time, int packetsPerSecond, int burst)
{
    private readonly Queue<PuntedPacket> _queue = new();
    private double _tokens = burst;
    private long _refilledAt = time.GetTimestamp();

    public long Accepted { get; private set; }

    public long RateLimited { get; private set; }

    /// <summary>Queues a copy of the frame if the rate allows; false when it was dropped.</summary>
    public bool TryPunt(uint inPort, byte reason, ReadOnlySpan<byte> frame)
    {
        Refill();
        if (_tokens < 1 || _queue.Count >= burst * 4)
        {
            RateLimited++;
            return false;
        }

        _tokens--;
        Accepted++;
        _queue.Enqueue(new PuntedPacket(inPort, reason, frame.ToArray()));
        return true;
    }

    public bool TryTake([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out PuntedPacket? packet) => _queue.TryDequeue(out packet);

    private void Refill()
    {
        var now = time.GetTimestamp();
        _tokens = Math.Min(burst, _tokens + (time.GetElapsedTime(_refilledAt, now).TotalSeconds * packetsPerSecond));
        _refilledAt = now;
    }
}
