namespace Sdn.Fabric.Core.Links.Liveness;

/// <summary>
/// Timers of a liveness session. A peer is declared down when no valid hello arrived for
/// <see cref="DetectMultiplier"/> × the agreed interval (RFC 5880 §6.8.4).
/// </summary>
/// <param name="TxInterval">Desired transmit interval, also the required receive interval.</param>
/// <param name="DetectMultiplier">Hellos that may be missed before the peer is declared down.</param>
public sealed record LivenessOptions(TimeSpan TxInterval, int DetectMultiplier)
{
    /// <summary>10 ms × 3: failure detected within 30 ms, inside RFC 4090's 50 ms restoration target.</summary>
    public static LivenessOptions Default { get; } = new(TimeSpan.FromMilliseconds(10), 3);

    /// <summary>
    /// 10 ms × 5, for a link between nodes of two processes, at both ends: a cut is seen within 50 ms, and a 30 ms
    /// stall of a busy machine's scheduler, which 10 ms × 3 takes for a cut, is ridden out.
    /// </summary>
    public static LivenessOptions BetweenProcesses { get; } = new(TimeSpan.FromMilliseconds(10), 5);

    internal void Validate()
    {
        if (TxInterval < TimeSpan.FromMilliseconds(1) || TxInterval.TotalMicroseconds > uint.MaxValue)
        {
            throw new LinkException($"liveness interval must be at least 1 ms and fit 32 bits of microseconds; got {TxInterval}");
        }

        if (DetectMultiplier is < 1 or > byte.MaxValue)
        {
            throw new LinkException($"liveness detect multiplier must be 1–255; got {DetectMultiplier}");
        }
    }
}
