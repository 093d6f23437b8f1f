namespace Sdn.Benchmarks.Rack;

/// <summary>What a <see cref="SequencedUdpStream"/> counted: datagrams sent, received and lost, and its longest run of losses.</summary>
/// <param name="Lost">Datagrams sent after the first one that arrived, and never received.</param>
/// <param name="LongestGap">The longest run of consecutive sequence numbers that did not arrive (or came late).</param>
/// <param name="LongestGapAtMs">When, on the sender's schedule, that run began, in ms from the stream's start.</param>
internal readonly record struct StreamCount(long Sent, long Received, long Lost, long LongestGap, double LongestGapAtMs, TimeSpan Interval)
{
    /// <summary>The loss window: every datagram lost, times the interval between datagrams.</summary>
    public double LossMilliseconds => Lost * Interval.TotalMilliseconds;

    public double LongestGapMilliseconds => LongestGap * Interval.TotalMilliseconds;
}
