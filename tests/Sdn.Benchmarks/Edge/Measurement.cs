using System.Diagnostics;
using System.Runtime;

namespace Sdn.Benchmarks.Edge;

/// <summary>Samples of one subject; the median is the figure, as the windows other processes disturbed fall on either side.</summary>
internal sealed class Measurement
{
    /// <summary>How long no method may have been compiled before the warm-up ends.</summary>
    private static readonly TimeSpan Settled = TimeSpan.FromMilliseconds(500);

    /// <summary>How many warm-up windows make one measured window: short ones, so each side's per-window code is called often enough to tier up too.</summary>
    private const int WarmUpWindowsPerWindow = 5;

    /// <summary>How much longer than asked a warm-up may run while the JIT is still compiling.</summary>
    private const int WarmUpBoundFactor = 4;

    private readonly List<double> _mpps = [];
    private long _packets;
    private long _allocatedBytes;

    public double MedianMpps => Median(_mpps);

    /// <summary>Each window's figure, in the order measured.</summary>
    public IReadOnlyList<double> Mpps => _mpps;

    /// <summary>The garbage collections that began or ran in the windows kept.</summary>
    public GcCounts Collections { get; private set; }

    /// <summary>The methods the JIT compiled (on any thread) during the windows kept: tiering not finished when measuring began.</summary>
    public long JitCompilations { get; private set; }

    public double AllocatedBytesPerPacket => _packets == 0 ? 0 : (double)_allocatedBytes / _packets;

    /// <summary>
    /// Warms both up, then runs them turn about in <paramref name="pairs"/> pairs of <paramref name="window"/>, so that
    /// both see the same load on this shared machine; each goes first in every other pair.
    /// </summary>
    /// <remarks>
    /// The warm-up runs them turn about too, in windows a fifth as long, for at least <paramref name="warmUp"/> and
    /// until no method was compiled for <see cref="Settled"/>: then both paths, and the timing code, run what tiered
    /// compilation settled on (the profile-guided tier, its profile taken from both), whichever was run first.
    /// </remarks>
    /// <param name="subject">Runs the subject for the window it is given.</param>
    /// <param name="peer">Runs what the subject is compared with.</param>
    public static (Measurement Subject, Measurement Peer) TurnAbout(
        int pairs, TimeSpan warmUp, TimeSpan window, Func<TimeSpan, Sample> subject, Func<TimeSpan, Sample> peer)
    {
        ArgumentNullException.ThrowIfNull(subject);
        ArgumentNullException.ThrowIfNull(peer);
        WarmUp(warmUp, window, subject, peer);
        var (subjectSamples, peerSamples) = (new Measurement(), new Measurement());
        for (var pair = 0; pair < pairs; pair++)
        {
            RunPair(pair, window, subject, peer, subjectSamples, peerSamples);
        }

        return (subjectSamples, peerSamples);
    }

    public static double Median(IEnumerable<double> values) => Quantile(values, 0.5);

    /// <summary>The value <paramref name="fraction"/> of the way up the sorted values (the lower one of two); 0 when there are none.</summary>
    public static double Quantile(IEnumerable<double> values, double fraction)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? 0 : sorted[(int)(fraction * (sorted.Count - 1))];
    }

    public void Keep(Sample sample)
    {
        _mpps.Add(sample.Mpps);
        _packets += sample.Packets;
        _allocatedBytes += sample.AllocatedBytes;
        Collections += sample.Collections;
        JitCompilations += sample.JitCompilations;
    }

    private static void RunPair(int pair, TimeSpan window, Func<TimeSpan, Sample> subject, Func<TimeSpan, Sample> peer, Measurement subjectSamples, Measurement peerSamples)
    {
        if (pair % 2 == 0)
        {
            subjectSamples.Keep(subject(window));
            peerSamples.Keep(peer(window));
        }
        else
        {
            peerSamples.Keep(peer(window));
            subjectSamples.Keep(subject(window));
        }
    }

    private static void WarmUp(TimeSpan warmUp, TimeSpan window, Func<TimeSpan, Sample> subject, Func<TimeSpan, Sample> peer)
    {
        var (subjectSamples, peerSamples) = (new Measurement(), new Measurement());
        var started = Stopwatch.GetTimestamp();
        var (compiled, lastCompiled) = (JitInfo.GetCompiledMethodCount(), started);
        for (var pair = 0; ; pair++)
        {
            RunPair(pair, window / WarmUpWindowsPerWindow, subject, peer, subjectSamples, peerSamples);
            if (JitInfo.GetCompiledMethodCount() != compiled)
            {
                (compiled, lastCompiled) = (JitInfo.GetCompiledMethodCount(), Stopwatch.GetTimestamp());
            }

            var elapsed = Stopwatch.GetElapsedTime(started);
            if ((elapsed >= warmUp && Stopwatch.GetElapsedTime(lastCompiled) >= Settled) || elapsed >= warmUp * WarmUpBoundFactor)
            {
                return;
            }
        }
    }
}
