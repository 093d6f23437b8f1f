namespace Sdn.Fabric.Core.Lsr;

/// <summary>
/// One LFIB row: packets whose top label is <paramref name="InLabel"/> get <paramref name="Operation"/> and go to
/// one member of <paramref name="NextHops"/> (an ECMP set, chosen by flow entropy among the members whose port
/// is up), or to <paramref name="Backup"/> while no member is up (fast reroute, RFC 4090).
/// </summary>
public sealed record LabelRoute(uint InLabel, LabelAction Operation, IReadOnlyList<LabelNextHop> NextHops, LabelNextHop? Backup = null)
{
    /// <summary>A swap to a single next hop.</summary>
    public static LabelRoute Swap(uint inLabel, LabelNextHop nextHop, LabelNextHop? backup = null) =>
        new(inLabel, LabelAction.Swap, [nextHop], backup);
}
