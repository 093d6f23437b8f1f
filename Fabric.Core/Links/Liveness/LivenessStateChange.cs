namespace Sdn.Fabric.Core.Links.Liveness;

/// <summary>A liveness session moved from <paramref name="Previous"/> to <paramref name="Current"/>.</summary>
/// <param name="Timestamp">When, in <see cref="System.Diagnostics.Stopwatch"/> ticks.</param>
public sealed record LivenessStateChange(
    string LinkName,
    LivenessState Previous,
    LivenessState Current,
    LivenessDiagnostic Diagnostic,
    long Timestamp);
