namespace Sdn.Benchmarks.Edge;

/// <summary>Samples of one subject; the median is the figure, as the windows other processes disturbed fall on either side.</summary>
internal sealed class Measurement
{
    private readonly List<double> _mpps = [];
    private long _packets;
    private long _allocatedBytes;

    public double MedianMpps
    {
        get
        {
            var sorted = _mpps.Order().ToList();
            return sorted.Count == 0 ? 0 : sorted[sorted.Count / 2];
        }
    }

    public double AllocatedBytesPerPacket => _packets == 0 ? 0 : (double)_allocatedBytes / _packets;

    public void Keep(Sample sample)
    {
        _mpps.Add(sample.Mpps);
        _packets += sample.Packets;
        _allocatedBytes += sample.AllocatedBytes;
    }
}
