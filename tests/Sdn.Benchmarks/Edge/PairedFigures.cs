namespace Sdn.Benchmarks.Edge;

/// <summary>
/// A subject and its peer measured turn about (<see cref="Measurement.TurnAbout"/>), read pair by pair: the two windows
/// of a pair ran back to back, under the same load. Pairs in which the peer ran well below its usual rate met another
/// process's work on this shared machine; the figures are taken over the others, the quiet pairs.
/// </summary>
/// <param name="SubjectMpps">The subject's median over the quiet pairs.</param>
/// <param name="PeerMpps">The peer's median over the quiet pairs.</param>
/// <param name="QuietPairs">How many pairs the figures are taken over.</param>
/// <param name="RatioQ1">The lower quartile of the quiet pairs' ratios (each pair's subject window over its peer window).</param>
/// <param name="RatioQ3">Their upper quartile: with <paramref name="RatioQ1"/>, the spread of the ratio within the run.</param>
/// <param name="AllPairsRatio">The subject's median over its peer's, every pair counted.</param>
internal sealed record PairedFigures(double SubjectMpps, double PeerMpps, int QuietPairs, double RatioQ1, double RatioQ3, double AllPairsRatio)
{
    /// <summary>A pair is quiet when its peer window reached this fraction of the peer's 90th-percentile window.</summary>
    public const double QuietFraction = 0.9;

    public double Ratio => SubjectMpps / PeerMpps;

    public static PairedFigures Of(Measurement subject, Measurement peer)
    {
        ArgumentNullException.ThrowIfNull(subject);
        ArgumentNullException.ThrowIfNull(peer);
        var usual = Measurement.Quantile(peer.Mpps, 0.9);
        var quiet = Enumerable.Range(0, Math.Min(subject.Mpps.Count, peer.Mpps.Count))
            .Where(pair => peer.Mpps[pair] >= QuietFraction * usual)
            .Select(pair => (Subject: subject.Mpps[pair], Peer: peer.Mpps[pair]))
            .ToList();
        var ratios = quiet.Select(pair => pair.Subject / pair.Peer).ToList();
        return new PairedFigures(
            Measurement.Median(quiet.Select(pair => pair.Subject)),
            Measurement.Median(quiet.Select(pair => pair.Peer)),
            quiet.Count,
            Measurement.Quantile(ratios, 0.25),
            Measurement.Quantile(ratios, 0.75),
            subject.MedianMpps / peer.MedianMpps);
    }
}
