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
//   Forward() allocates nothing: frames are rewritten in place in the input burst and copied once into the
//   per-port output bursts, which the node sends and clears after every input burst. There are no interface
//   calls, closures or LINQ inside the per-packet loop.

using System.Buffers.Binary;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using Sdn.Fabric.Core.Links;
using Sdn.Fabric.Core.Packets;

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
    /// Forwards every frame of <paramref name="input"/> by <paramref name="lfib"/>, appending each survivor to
    /// the output burst of its port. <paramref name="portIsUp"/> and <paramref name="outputs"/> are indexed by
    /// port and must cover every port the table names. Output bursts need room for the whole input burst.
    /// </summary>
    public void Forward(Lfib lfib, PacketBurst input, ReadOnlySpan<bool> portIsUp, PacketBurst[] outputs)
    {
        _counters.Received += input.Count;
        for (var i = 0; i < input.Count; i++)
        {
            ForwardOne(lfib, input.Frame(i), portIsUp, outputs);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void ForwardOne(Lfib lfib, Span<byte> frame, ReadOnlySpan<bool> portIsUp, PacketBurst[] outputs)
    {
        if (!MplsFlowEntropy.TryHash(frame, _hashSeed, out var hash))
        {
            _counters.DroppedMalformed++;
            return;
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
                return;
            }

            if (ttl <= 1)
            {
                _counters.DroppedTtlExpired++;
                return;
            }

            if (!lfib.TryFind(label, out var row))
            {
                _counters.DroppedUnknownLabel++;
                return;
            }

            ref readonly var entry = ref lfib.Entry(row);
            if (entry.Operation != LabelOperation.Swap && bottom)
            {
                _counters.DroppedEndOfStack++;
                return;
            }

            if (entry.Operation == LabelOperation.Pop)
            {
                offset += MplsLabelStackEntry.Size;
                continue;
            }

            if (!TryChooseNextHop(lfib, in entry, hash, portIsUp, out var hop))
            {
                _counters.DroppedNoLiveNextHop++;
                return;
            }

            if (entry.Operation == LabelOperation.Swap)
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

            var appended = outputs[hop.Port].TryAppend(frame[offset..]);
            Debug.Assert(appended, "output bursts are emptied after every input burst and frames only shrink");
            return;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool TryChooseNextHop(Lfib lfib, in Lfib.CompiledEntry entry, uint hash, ReadOnlySpan<bool> portIsUp, out NextHop hop)
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
