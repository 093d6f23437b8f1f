namespace Sdn.Fabric.Core.Lsr;

/// <summary>
/// A point-in-time copy of an LSR's counters. Every packet received ends in exactly one of the forwarded
/// or dropped counters; <see cref="ForwardedOnBackup"/> counts the forwarded ones that took a backup next hop.
/// </summary>
/// <param name="Swapped">Forwarded with the top label swapped.</param>
/// <param name="PenultimatePopped">Forwarded with the top label popped (PHP).</param>
/// <param name="DroppedMalformed">Shorter than a label, or no bottom of stack within the first 8 entries.</param>
/// <param name="DroppedReservedLabel">A reserved label (0–15) this LSR does not act on, such as router alert (1).</param>
/// <param name="DroppedEndOfStack">A pop exposed the payload, which a core node cannot deliver.</param>
/// <param name="DroppedNoLiveNextHop">Neither an ECMP member nor the backup was up.</param>
public readonly record struct LsrStatistics(
    long Received,
    long Swapped,
    long PenultimatePopped,
    long ForwardedOnBackup,
    long DroppedUnknownLabel,
    long DroppedTtlExpired,
    long DroppedMalformed,
    long DroppedReservedLabel,
    long DroppedEndOfStack,
    long DroppedNoLiveNextHop)
{
    public long Forwarded => Swapped + PenultimatePopped;

    public long Dropped =>
        DroppedUnknownLabel + DroppedTtlExpired + DroppedMalformed + DroppedReservedLabel + DroppedEndOfStack + DroppedNoLiveNextHop;
}
