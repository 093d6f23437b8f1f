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

    /// <summary>Each window's figure, in the order measured.</summary>
    public IReadOnlyList<double> Mpps => _mpps;

    /// <summary>The garbage collections that began or ran in the windows kept.</summary>
    public GcCounts Collections { get; private set; }

    public double AllocatedBytesPerPacket => _packets == 0 ? 0 : (double)_allocatedBytes / _packets;

    /// <summary>
    /// Warms both up for <paramref name="warmUp"/>, then runs them turn about in <paramref name="pairs"/> pairs of
    /// <paramref name="window"/>, so that both see the same load on this shared machine.
    /// </summary>
    /// <param name="subject">Runs the subject for the window it is given.</param>
    /// <param name="peer">Runs what the subject is compared with.</param>
    public static (Measurement Subject, Measurement Peer) TurnAbout(
        int pairs, TimeSpan warmUp, TimeSpan window, Func<TimeSpan, Sample> subject, Func<TimeSpan, Sample> peer)
    {
        ArgumentNullException.ThrowIfNull(subject);
        ArgumentNullException.ThrowIfNull(peer);
        subject(warmUp);
        peer(warmUp);
        var (subjectSamples, peerSamples) = (new Measurement(), new Measurement());
        for (var pair = 0; pair < pairs; pair++)
        {
            subjectSamples.Keep(subject(window));
            peerSamples.Keep(peer(window));
        }

        return (subjectSamples, peerSamples);
    }

    public void Keep(Sample sample)
    {
        _mpps.Add(sample.Mpps);
        _packets += sample.Packets;
        _allocatedBytes += sample.AllocatedBytes;
        Collections += sample.Collections;
    }
}
