namespace Sdn.Benchmarks.Edge;

/// <summary>The best of several samples (the least disturbed by the other work on this shared machine).</summary>
internal sealed class Measurement
{
    private long _packets;
    private long _allocatedBytes;

    public double BestMpps { get; private set; }

    public double AllocatedBytesPerPacket => _packets == 0 ? 0 : (double)_allocatedBytes / _packets;

    public void Keep(Sample sample)
    {
        BestMpps = Math.Max(BestMpps, sample.Mpps);
        _packets += sample.Packets;
        _allocatedBytes += sample.AllocatedBytes;
    }
}
