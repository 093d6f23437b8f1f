namespace Sdn.Fabric.Core.Capture;

/// <summary>What a capture session takes, and when it stops.</summary>
/// <param name="Filter">A tcpdump filter expression; empty captures everything.</param>
/// <param name="SnapLength">Bytes kept of each frame.</param>
/// <param name="MaxPackets">Stop after this many captured frames; 0 for no limit.</param>
/// <param name="MaxDuration">Stop after this long; null for no limit.</param>
/// <param name="RingCapacity">Frames buffered between the datapath and the consumer (a power of two).</param>
/// <param name="Direction">Only frames crossing their port this way; null for both ways.</param>
public sealed record CaptureOptions(
    string Filter = "",
    int SnapLength = 262144,
    long MaxPackets = 0,
    TimeSpan? MaxDuration = null,
    int RingCapacity = 4096,
    CaptureDirection? Direction = null)
{
    /// <summary>The largest snap length accepted, as in tcpdump.</summary>
    public const int MaxSnapLength = 262144;
}
