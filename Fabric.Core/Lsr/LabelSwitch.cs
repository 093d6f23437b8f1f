// The label-switching router: design
// ===================================
//
// What
//   A core node forwards MPLS packets on their top label alone. It never looks at the tenant frame beyond
//   the fixed bytes that feed the flow-entropy hash, and it keeps no per-flow state. Everything it knows is
//   one Lfib: in-label -> operation (swap, penultimate-hop pop, pop-and-look-up-again), an ECMP set of next
//   hops, each with the out-label its downstream node allocated, and an optional backup next hop.
//
// Per packet
//   1. Hash the packet's flow entropy (MplsFlowEntropy): every label value down to the bottom of stack and
//      the inner MAC addresses. The same pass proves the stack is well formed: a packet with no bottom of
//      stack within 8 entries, or shorter than one entry, is counted as malformed and dropped.
//   2. Reserved labels (0–15, RFC 3032 §2.1): an explicit null (0, 2) that is not at the bottom is popped and
//      the label below it processed, as RFC 3032 says; everything else reserved at the top (router alert,
//      implicit null, which must never appear on the wire, the GAL outside a hello, entropy label
//      indicators) is counted and dropped, since a core node has no control plane to hand them to.
//   3. TTL (RFC 3032 §2.4): a top entry with TTL 0 or 1 expires here and is counted and dropped (no ICMP is
//      generated: the core knows nothing of the payload). Otherwise the outgoing top entry gets TTL - 1, so
//      each node decrements exactly once however many labels it pops; a popped TTL is carried down
//      (the uniform model, RFC 3443) when it is lower than the exposed entry's.
//   4. Unknown in-label: counted and dropped.
//   5. Next hop: the hash picks an ECMP member by multiply-shift range reduction; if that member's port is
//      down the next live member takes its flows; if no member is live the backup carries the traffic
//      (RFC 4090's local repair: the node that sees the failure reroutes at once, before any controller
//      recomputes). Port liveness comes from the node's liveness sessions, sampled once per burst.
//
// Why this flow entropy
//   The link frame is an L2-VPN payload with no control word, so a transit node cannot safely guess where an
//   IP header starts. Hashing the label stack plus the inner MACs keeps every flow on one path and spreads
//   distinct conversations; an edge that wants per-5-tuple spreading pushes an RFC 6790 entropy label,
//   which this hash covers as it covers every label. Each node seeds the hash differently so that
//   consecutive hops do not make correlated choices (hash polarisation).
//
// Versioning and thread-safety
//   An Lfib is immutable. Installing one swaps a single reference; the forwarding thread reads that reference
//   once per burst, so each burst sees one consistent table and no lock is ever taken on the data path.
//
// Cost
//   Forward() allocates nothing and copies nothing: frames are rewritten in place in the received burst,
//   popped labels are pulled off the front, and an EgressPlan lists which frames leave by which port; the
//   node hands each list to its link, whose send is the only copy. There are no interface calls, closures
//   or LINQ inside the per-packet loop.

using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using Sdn.Common.Packets;
using Sdn.Fabric.Core.Links;

namespace Sdn.Fabric.Core.Lsr;

/// <summary>The per-burst forwarding engine of a core node (see the design notes at the top of this file).</summary>
public sealed class LabelSwitch
{
    private const uint BottomOfStackBit = 0x100;

    private readonly LsrCounters _counters = new();
    private readonly uint _hashSeed;

    public LabelSwitch(uint hashSeed)
    {
        _hashSeed = hashSeed;
    }

    public LsrStatistics Statistics => _counters.Snapshot();

    /// <summary>
    /// Forwards every frame of <paramref name="burst"/> by <paramref name="lfib"/>: each survivor is rewritten
    /// in place (popped labels are pulled off its front) and listed in <paramref name="plan"/> under its port.
    /// <paramref name="portIsUp"/> and the plan are indexed by port and must cover every port the table names.
    /// </summary>
    public void Forward(Lfib lfib, PacketBurst burst, ReadOnlySpan<bool> portIsUp, EgressPlan plan)
    {
        _counters.Received += burst.Count;
        for (var i = 0; i < burst.Count; i++)
        {
            var port = ForwardOne(lfib, burst.Frame(i), portIsUp, out var popped);
            if (port >= 0)
            {
                burst.TryPullFront(i, popped);
                plan.Add(port, i);
            }
        }
    }

    /// <summary>Rewrites one frame; returns its port and how many leading bytes to pull off, or -1 to drop it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int ForwardOne(Lfib lfib, Span<byte> frame, ReadOnlySpan<bool> portIsUp, out int popped)
    {
        popped = 0;
        if (!MplsFlowEntropy.TryHash(frame, _hashSeed, out var hash))
        {
            _counters.DroppedMalformed++;
            return -1;
        }

        // The entropy pass found a bottom of stack, so every entry read below lies inside the frame.
        var offset = 0;
        var ttl = frame[MplsLabelStackEntry.Size - 1];
        while (true)
        {
            var word = BinaryPrimitives.ReadUInt32BigEndian(frame[offset..]);
            var label = word >> 12;
            var bottom = (word & BottomOfStackBit) != 0;
            ttl = Math.Min(ttl, (byte)word);

            if (label < MplsLabelStackEntry.FirstUnreservedLabel)
            {
                if (!bottom && label is MplsLabelStackEntry.IPv4ExplicitNullLabel or MplsLabelStackEntry.IPv6ExplicitNullLabel)
                {
                    offset += MplsLabelStackEntry.Size;
                    continue;
                }

                _counters.DroppedReservedLabel++;
                return -1;
            }

            if (ttl <= 1)
            {
                _counters.DroppedTtlExpired++;
                return -1;
            }

            if (!lfib.TryFind(label, out var row))
            {
                _counters.DroppedUnknownLabel++;
                return -1;
            }

            ref readonly var entry = ref lfib.Entry(row);
            if (entry.Operation != LabelAction.Swap && bottom)
            {
                _counters.DroppedEndOfStack++;
                return -1;
            }

            if (entry.Operation == LabelAction.Pop)
            {
                offset += MplsLabelStackEntry.Size;
                continue;
            }

            if (!TryChooseNextHop(lfib, in entry, hash, portIsUp, out var hop))
            {
                _counters.DroppedNoLiveNextHop++;
                return -1;
            }

            if (entry.Operation == LabelAction.Swap)
            {
                BinaryPrimitives.WriteUInt32BigEndian(frame[offset..], (hop.OutLabel << 12) | (word & 0xF00) | (uint)(ttl - 1));
                _counters.Swapped++;
            }
            else
            {
                offset += MplsLabelStackEntry.Size;
                frame[offset + MplsLabelStackEntry.Size - 1] = (byte)Math.Min(frame[offset + MplsLabelStackEntry.Size - 1], ttl - 1);
                _counters.PenultimatePopped++;
            }

            popped = offset;
            return hop.Port;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool TryChooseNextHop(Lfib lfib, in Lfib.CompiledEntry entry, uint hash, ReadOnlySpan<bool> portIsUp, out LabelNextHop hop)
    {
        var member = (int)(((ulong)hash * (uint)entry.HopCount) >> 32);
        for (var tried = 0; tried < entry.HopCount; tried++)
        {
            hop = lfib.Hop(entry.FirstHop + member);
            if (portIsUp[hop.Port])
            {
                return true;
            }

            member = member + 1 == entry.HopCount ? 0 : member + 1;
        }

        hop = entry.Backup;
        if (entry.HasBackup && portIsUp[hop.Port])
        {
            _counters.ForwardedOnBackup++;
            return true;
        }

        return false;
    }
}
