using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using Sdn.Common.Packets;

namespace Sdn.Fabric.Core.Links;

/// <summary>
/// The flow-entropy hash of an MPLS packet, used by LSRs to pick an ECMP member and by MPLS-in-UDP links to
/// pick a UDP source port. It mixes every label value down to the bottom of the stack (so an RFC 6790 entropy
/// label, when an edge pushes one, spreads flows by itself) and the first 12 payload bytes, which in an L2-VPN
/// payload are the inner destination and source MACs. That keeps every flow on one path without parsing the
/// tenant frame; TC and TTL are left out because they may change within a flow.
/// </summary>
public static class MplsFlowEntropy
{
    /// <summary>The deepest stack examined; a packet with no bottom-of-stack entry within it is malformed.</summary>
    public const int MaxStackDepth = 8;

    private const int PayloadBytesHashed = 12;

    /// <summary>
    /// Hashes <paramref name="packet"/> with <paramref name="seed"/> (each node uses its own, so hops do not
    /// polarise). Returns false when the stack is truncated or has no bottom of stack within
    /// <see cref="MaxStackDepth"/> entries.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryHash(ReadOnlySpan<byte> packet, uint seed, out uint hash)
    {
        var h = seed;
        var offset = 0;
        for (var depth = 0; depth < MaxStackDepth && offset + MplsLabelStackEntry.Size <= packet.Length; depth++)
        {
            var entry = BinaryPrimitives.ReadUInt32BigEndian(packet[offset..]);
            h = Mix(h, entry >> 12);
            offset += MplsLabelStackEntry.Size;
            if ((entry & 0x100) != 0)
            {
                var payload = packet[offset..];
                if (payload.Length >= PayloadBytesHashed)
                {
                    var macs = BinaryPrimitives.ReadUInt64LittleEndian(payload);
                    h = Mix(Mix(Mix(h, (uint)macs), (uint)(macs >> 32)), BinaryPrimitives.ReadUInt32LittleEndian(payload[8..]));
                }

                hash = Finish(h);
                return true;
            }
        }

        hash = 0;
        return false;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Mix(uint h, uint k) => BitOperations.RotateLeft(h ^ (k * 0xCC9E2D51u), 13) * 5 + 0xE6546B64u;

    // Murmur3's finaliser: every input bit affects every output bit, so the high bits used for range
    // reduction are as good as the low ones.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Finish(uint h)
    {
        h ^= h >> 16;
        h *= 0x85EBCA6Bu;
        h ^= h >> 13;
        h *= 0xC2B2AE35u;
        return h ^ (h >> 16);
    }
}
