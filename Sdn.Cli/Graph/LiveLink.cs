namespace Sdn.Cli.Graph;

/// <summary>A link or port on the page, with its state and the packets per second crossing it each way.</summary>
/// <param name="Source">End A's node id.</param>
/// <param name="Target">End B's node id.</param>
/// <param name="State">"up", "down", "pending" or "failed", as `sdn status` gives it.</param>
/// <param name="Ports">The counted interfaces at its ends, with their rates.</param>
internal sealed record LiveLink(
    string Id,
    string Name,
    string Kind,
    string Source,
    string Target,
    string State,
    string Reason,
    double AToBPps,
    double BToAPps,
    IReadOnlyList<LivePort> Ports);
