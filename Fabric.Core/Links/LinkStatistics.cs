namespace Sdn.Fabric.Core.Links;

/// <summary>
/// A point-in-time copy of one link endpoint's counters. Both link kinds keep exactly this set.
/// Data frames and liveness hellos are counted apart, so traffic figures are never inflated by hellos.
/// </summary>
/// <param name="TxDropped">Data frames refused on send: link forced down, ring or socket buffer full.</param>
/// <param name="RxDropped">Inbound frames discarded: link forced down, impairment loss, no room in the burst.</param>
/// <param name="RxMalformed">Inbound datagrams that cannot be a frame: truncated (larger than a super-frame), empty, or longer than a plain frame without being a TCP super-frame (<see cref="MplsInUdpOffload"/>).</param>
/// <param name="RxForeign">Inbound datagrams from an address other than the configured peer.</param>
public readonly record struct LinkStatistics(
    long TxFrames,
    long TxBytes,
    long TxDropped,
    long RxFrames,
    long RxBytes,
    long RxDropped,
    long RxMalformed,
    long RxForeign,
    long HellosSent,
    long HellosReceived);
