namespace Sdn.Common.Capture;

/// <summary>What a capture session takes, and when it stops.</summary>
/// <param name="Filter">A tcpdump filter expression; empty captures everything.</param>
/// <param name="SnapLength">Bytes kept of each frame; the default keeps whole frames, 64 KiB super-frames included.</param>
/// <param name="MaxPackets">Stop after this many captured frames; 0 for no limit.</param>
/// <param name="MaxDuration">Stop after this long; null for no limit.</param>
/// <param name="RingBytes">
/// Bytes buffered between the datapath and the consumer (a power of two): as many frames as fit, each taking its kept
/// bytes and a <see cref="CaptureRing.HeaderSize"/>-byte header (see <see cref="CaptureRing.RecordLength"/>).
/// </param>
/// <param name="Direction">Only frames crossing their port this way; null for both ways.</param>
public sealed record CaptureOptions(
    string Filter = "",
    int SnapLength = 262144,
    long MaxPackets = 0,
    TimeSpan? MaxDuration = null,
    int RingBytes = CaptureOptions.DefaultRingBytes,
    CaptureDirection? Direction = null)
{
    /// <summary>The largest snap length accepted, as in tcpdump.</summary>
    public const int MaxSnapLength = 262144;

    /// <summary>8 MiB: about 4,000 full-size frames, 120 super-frames, or 80,000 short ones.</summary>
    public const int DefaultRingBytes = 8 * 1024 * 1024;
}
