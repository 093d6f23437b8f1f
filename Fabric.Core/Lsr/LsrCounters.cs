namespace Sdn.Fabric.Core.Lsr;

/// <summary>
/// The live counters of an LSR, written only by its forwarding thread; other threads read a <see cref="Snapshot"/>.
/// </summary>
internal sealed class LsrCounters
{
    internal long Received;
    internal long Swapped;
    internal long PenultimatePopped;
    internal long ForwardedOnBackup;
    internal long DroppedUnknownLabel;
    internal long DroppedTtlExpired;
    internal long DroppedMalformed;
    internal long DroppedReservedLabel;
    internal long DroppedEndOfStack;
    internal long DroppedNoLiveNextHop;

    public LsrStatistics Snapshot() => new(
        Volatile.Read(ref Received),
        Volatile.Read(ref Swapped),
        Volatile.Read(ref PenultimatePopped),
        Volatile.Read(ref ForwardedOnBackup),
        Volatile.Read(ref DroppedUnknownLabel),
        Volatile.Read(ref DroppedTtlExpired),
        Volatile.Read(ref DroppedMalformed),
        Volatile.Read(ref DroppedReservedLabel),
        Volatile.Read(ref DroppedEndOfStack),
        Volatile.Read(ref DroppedNoLiveNextHop));
}
