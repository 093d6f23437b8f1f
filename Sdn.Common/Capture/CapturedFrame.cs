namespace Sdn.Common.Capture;

/// <summary>One frame taken off a <see cref="CaptureRing"/>; valid only during the read call.</summary>
public readonly ref struct CapturedFrame(ReadOnlySpan<byte> bytes, int originalLength, long timestampNanoseconds, CaptureDirection direction, int portIndex)
{
    public ReadOnlySpan<byte> Bytes { get; } = bytes;

    public int OriginalLength { get; } = originalLength;

    public long TimestampNanoseconds { get; } = timestampNanoseconds;

    public CaptureDirection Direction { get; } = direction;

    /// <summary>Which of the session's ports the frame was seen on.</summary>
    public int PortIndex { get; } = portIndex;
}
