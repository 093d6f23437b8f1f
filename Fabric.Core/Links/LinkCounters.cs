namespace Sdn.Fabric.Core.Links;

/// <summary>
/// The live counters of one link endpoint. Transmit counters have one writer (the sending thread) and
/// receive counters another (the receiving thread), so plain increments suffice; readers on other
/// threads take a <see cref="Snapshot"/>, whose 64-bit reads cannot tear.
/// </summary>
internal sealed class LinkCounters
{
    internal long TxFrames;
    internal long TxBytes;
    internal long TxDropped;
    internal long RxFrames;
    internal long RxBytes;
    internal long RxDropped;
    internal long RxMalformed;
    internal long RxForeign;
    internal long HellosSent;
    internal long HellosReceived;

    public LinkStatistics Snapshot() => new(
        Volatile.Read(ref TxFrames),
        Volatile.Read(ref TxBytes),
        Volatile.Read(ref TxDropped),
        Volatile.Read(ref RxFrames),
        Volatile.Read(ref RxBytes),
        Volatile.Read(ref RxDropped),
        Volatile.Read(ref RxMalformed),
        Volatile.Read(ref RxForeign),
        Volatile.Read(ref HellosSent),
        Volatile.Read(ref HellosReceived));
}
