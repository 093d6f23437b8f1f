using Sdn.Common.Packets;

namespace Sdn.Fabric.Edge.Conntrack;

/// <summary>
/// What a lookup in the tracker needs of a packet, read from its frame once: the zone, the kind of packet, its TCP
/// flags, its connection tuple and the tuple's hash. The datapath reads a burst's ahead of their lookups, so that the
/// tracker's buckets and connections can be prefetched for the whole burst and nothing is read or hashed twice.
/// </summary>
internal struct ConnectionLookup
{
    public ushort Zone;

    public ConnectionPacketKind Kind;

    public byte TcpFlags;

    /// <summary>The hash of <see cref="Tuple"/> (zero for an invalid packet, which is never looked up).</summary>
    public ulong Hash;

    /// <summary>The packet's tuple; an ICMP error's is the tuple of the packet it quotes.</summary>
    public ConnectionTuple Tuple;

    public static void Read(ushort zone, ReadOnlySpan<byte> frame, in HeaderOffsets offsets, out ConnectionLookup lookup)
    {
        lookup.Zone = zone;
        lookup.Kind = ConnectionPacket.Read(zone, frame, offsets, out lookup.Tuple, out lookup.TcpFlags);
        lookup.Hash = lookup.Kind == ConnectionPacketKind.Invalid ? 0 : lookup.Tuple.Hash64();
    }
}
