using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Sdn.Common.Packets;

/// <summary>
/// Every match field of the edge pipeline, packed into sixteen 64-bit words (128 bytes).
/// </summary>
/// <remarks>
/// <para>
/// The key is fixed-size and word-addressed so that the classifier can treat a match as
/// (key AND mask) == value over whole words, four at a time with 256-bit vectors, and so that
/// hashing and equality never look at field boundaries. A <see cref="FlowKey"/> also serves as
/// the mask of a match: a set bit means "this bit must match".
/// </para>
/// <para>
/// Word layout (bit 0 is the least significant):
/// <code>
/// w0      in_port[0..32)   eth_type[32..48)  vlan_tci[48..64)   (tci has 0x1000 set when a tag is present)
/// w1      metadata
/// w2..w5  reg0..reg7, two 32-bit registers a word, the even one low
/// w6      eth_dst[0..48)   ip_proto[48..56)  ip_dscp[56..62)  ip_ecn[62..64)
/// w7      eth_src[0..48)   ip_ttl[48..56)    ip_frag[56..64)  (bit 0 fragment, bit 1 not the first fragment)
/// w8      ipv4_src[0..32)  ipv4_dst[32..64)  (ARP spa/tpa share these words, as in OpenFlow; so does
///         nd_target's high half, of an ICMPv6 neighbour solicitation or advertisement)
/// w9,w10  ipv6_src, high then low half
/// w11,w12 ipv6_dst, high then low half
/// w13     l4_src[0..16)    l4_dst[16..32)    mpls top label stack entry[32..64)
/// w14     arp_op[0..16)    icmp_type[16..24) icmp_code[24..32) outer_vlan_tci[32..48) mpls_depth[48..56)
///         ct_state[56..64)  (pipeline state: zero in a parsed frame, set by a connection tracker lookup)
/// w15     nd_target's low half
/// </code>
/// Addresses are stored in host order: the MAC 00:11:22:33:44:55 is 0x001122334455.
/// </para>
/// </remarks>
[StructLayout(LayoutKind.Sequential)]
public struct FlowKey : IEquatable<FlowKey>
{
    public const int WordCount = 16;
    public const ushort VlanTagPresent = 0x1000;

    private FlowWords _words;

    /// <summary>The words of the key, for the classifier's masked operations.</summary>
    [UnscopedRef]
    public Span<ulong> Words => _words;

    [UnscopedRef]
    public readonly ReadOnlySpan<ulong> ReadOnlyWords => _words;

    public uint InPort { readonly get => (uint)Get(0, 0, 32); set => Set(0, 0, 32, value); }

    public ushort EthType { readonly get => (ushort)Get(0, 32, 16); set => Set(0, 32, 16, value); }

    /// <summary>The (inner) 802.1Q TCI, with <see cref="VlanTagPresent"/> set when the frame has a tag.</summary>
    public ushort VlanTci { readonly get => (ushort)Get(0, 48, 16); set => Set(0, 48, 16, value); }

    public ulong Metadata { readonly get => _words[1]; set => _words[1] = value; }

    public ulong EthDst { readonly get => Get(6, 0, 48); set => Set(6, 0, 48, value); }

    public byte IpProto { readonly get => (byte)Get(6, 48, 8); set => Set(6, 48, 8, value); }

    public byte IpDscp { readonly get => (byte)Get(6, 56, 6); set => Set(6, 56, 6, value); }

    public byte IpEcn { readonly get => (byte)Get(6, 62, 2); set => Set(6, 62, 2, value); }

    public ulong EthSrc { readonly get => Get(7, 0, 48); set => Set(7, 0, 48, value); }

    /// <summary>IPv4 TTL or IPv6 hop limit.</summary>
    public byte IpTtl { readonly get => (byte)Get(7, 48, 8); set => Set(7, 48, 8, value); }

    public IpFragment IpFrag { readonly get => (IpFragment)Get(7, 56, 8); set => Set(7, 56, 8, (ulong)value); }

    public uint Ipv4Src { readonly get => (uint)Get(8, 0, 32); set => Set(8, 0, 32, value); }

    public uint Ipv4Dst { readonly get => (uint)Get(8, 32, 32); set => Set(8, 32, 32, value); }

    /// <summary>ARP sender protocol address; the same bits as <see cref="Ipv4Src"/>.</summary>
    public uint ArpSpa { readonly get => Ipv4Src; set => Ipv4Src = value; }

    /// <summary>ARP target protocol address; the same bits as <see cref="Ipv4Dst"/>.</summary>
    public uint ArpTpa { readonly get => Ipv4Dst; set => Ipv4Dst = value; }

    public UInt128 Ipv6Src
    {
        readonly get => new(_words[9], _words[10]);
        set
        {
            _words[9] = (ulong)(value >> 64);
            _words[10] = (ulong)value;
        }
    }

    public UInt128 Ipv6Dst
    {
        readonly get => new(_words[11], _words[12]);
        set
        {
            _words[11] = (ulong)(value >> 64);
            _words[12] = (ulong)value;
        }
    }

    /// <summary>
    /// The target of an ICMPv6 neighbour solicitation or advertisement; its high half shares w8 with the IPv4
    /// addresses, which an IPv6 packet leaves zero.
    /// </summary>
    public UInt128 NdTarget
    {
        readonly get => new(_words[8], _words[15]);
        set
        {
            _words[8] = (ulong)(value >> 64);
            _words[15] = (ulong)value;
        }
    }

    public ushort L4Src { readonly get => (ushort)Get(13, 0, 16); set => Set(13, 0, 16, value); }

    public ushort L4Dst { readonly get => (ushort)Get(13, 16, 16); set => Set(13, 16, 16, value); }

    /// <summary>The top MPLS label stack entry, as encoded on the wire.</summary>
    public uint MplsTopEntry { readonly get => (uint)Get(13, 32, 32); set => Set(13, 32, 32, value); }

    public uint MplsLabel => MplsLabelStackEntry.Decode(MplsTopEntry).Label;

    public byte MplsTc => MplsLabelStackEntry.Decode(MplsTopEntry).TrafficClass;

    public bool MplsBos => MplsLabelStackEntry.Decode(MplsTopEntry).BottomOfStack;

    public ushort ArpOp { readonly get => (ushort)Get(14, 0, 16); set => Set(14, 0, 16, value); }

    public byte IcmpType { readonly get => (byte)Get(14, 16, 8); set => Set(14, 16, 8, value); }

    public byte IcmpCode { readonly get => (byte)Get(14, 24, 8); set => Set(14, 24, 8, value); }

    /// <summary>The outer TCI of a QinQ frame, with <see cref="VlanTagPresent"/> set; zero for a single tag.</summary>
    public ushort OuterVlanTci { readonly get => (ushort)Get(14, 32, 16); set => Set(14, 32, 16, value); }

    /// <summary>How many MPLS label stack entries the frame carries.</summary>
    public byte MplsDepth { readonly get => (byte)Get(14, 48, 8); set => Set(14, 48, 8, value); }

    /// <summary>The connection tracker's verdict on the packet (OpenFlow's ct_state bits); zero until a lookup sets it.</summary>
    public byte CtState { readonly get => (byte)Get(14, 56, 8); set => Set(14, 56, 8, value); }

    /// <summary>
    /// Sets <see cref="IpProto"/>, <see cref="IpDscp"/>, <see cref="IpEcn"/> and <see cref="IpTtl"/> with one write to each
    /// of the two words they share with the Ethernet addresses: a parser setting them one by one waits on each write
    /// to read the word back for the next.
    /// </summary>
    public void SetIpHeader(byte proto, byte dscp, byte ecn, byte ttl)
    {
        const ulong DstFields = 0xFFFFUL << 48;
        const ulong TtlField = 0xFFUL << 48;
        _words[6] = (_words[6] & ~DstFields) | ((ulong)proto << 48) | ((ulong)(dscp & 0x3F) << 56) | ((ulong)ecn << 62);
        _words[7] = (_words[7] & ~TtlField) | ((ulong)ttl << 48);
    }

    /// <summary>Sets <see cref="Ipv4Src"/> and <see cref="Ipv4Dst"/>, which fill one word.</summary>
    public void SetIpv4Addresses(uint source, uint destination) => _words[8] = source | ((ulong)destination << 32);

    /// <summary>Sets <see cref="L4Src"/> and <see cref="L4Dst"/> with one write.</summary>
    public void SetL4Ports(ushort source, ushort destination) =>
        _words[13] = (_words[13] & ~0xFFFF_FFFFUL) | source | ((ulong)destination << 16);

    public readonly uint Register(int index) => (uint)Get(2 + (index >> 1), (index & 1) * 32, 32);

    public void SetRegister(int index, uint value) => Set(2 + (index >> 1), (index & 1) * 32, 32, value);

    /// <summary>Keeps only the bits set in <paramref name="mask"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly FlowKey And(in FlowKey mask)
    {
        var result = default(FlowKey);
        var self = Vectors(in this);
        var m = Vectors(in mask);
        var r = VectorsMutable(ref result);
        r[0] = self[0] & m[0];
        r[1] = self[1] & m[1];
        r[2] = self[2] & m[2];
        r[3] = self[3] & m[3];
        return result;
    }

    /// <summary>True when every bit set in <paramref name="mask"/> equals the same bit of <paramref name="value"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly bool MatchesMasked(in FlowKey mask, in FlowKey value)
    {
        var self = Vectors(in this);
        var m = Vectors(in mask);
        var v = Vectors(in value);
        var diff = ((self[0] ^ v[0]) & m[0]) | ((self[1] ^ v[1]) & m[1]) | ((self[2] ^ v[2]) & m[2]) | ((self[3] ^ v[3]) & m[3]);
        return diff == Vector256<ulong>.Zero;
    }

    public readonly bool Equals(FlowKey other) => EqualTo(in other);

    /// <summary>The same as <see cref="Equals(FlowKey)"/>, by reference: caches compare keys per packet and must not copy 128 bytes to do it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly bool EqualTo(in FlowKey other)
    {
        var a = Vectors(in this);
        var b = Vectors(in other);
        return ((a[0] ^ b[0]) | (a[1] ^ b[1]) | (a[2] ^ b[2]) | (a[3] ^ b[3])) == Vector256<ulong>.Zero;
    }

    public override readonly bool Equals(object? obj) => obj is FlowKey other && Equals(other);

    /// <summary>A 64-bit hash of every word, for caches and hash tables.</summary>
    /// <remarks>
    /// Four lanes, each mixing every fourth word, side by side, then folded together: one chain of sixteen multiplies
    /// made every packet wait about 80 cycles for its hash. Words are read one by one, not as vectors, because the
    /// key was usually just written field by field, and a wide load of narrow stores still in flight stalls.
    /// Written without helper calls: the datapath's burst loop is past the JIT's inlining budget, and a call per
    /// mixing step cost more than the mixing.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly ulong Hash64()
    {
        const ulong Multiplier = 0x9E3779B97F4A7C15;
        var words = ReadOnlyWords;
        ulong lane0 = 0, lane1 = 1, lane2 = 2, lane3 = 3;
        for (var i = 0; i < WordCount; i += 4)
        {
            lane0 = (lane0 ^ words[i]) * Multiplier;
            lane1 = (lane1 ^ words[i + 1]) * Multiplier;
            lane2 = (lane2 ^ words[i + 2]) * Multiplier;
            lane3 = (lane3 ^ words[i + 3]) * Multiplier;
            lane0 ^= lane0 >> 29;
            lane1 ^= lane1 >> 29;
            lane2 ^= lane2 >> 29;
            lane3 ^= lane3 >> 29;
        }

        // Each lane is mixed already: rotated apart they fold in one step instead of a chain of three, and a last
        // multiply-shift round spreads the fold into the high bits the exact-match cache picks its set with.
        var hash = (lane0 ^ BitOperations.RotateLeft(lane1, 16) ^ BitOperations.RotateLeft(lane2, 32) ^ BitOperations.RotateLeft(lane3, 48)) * Multiplier;
        hash = (hash ^ (hash >> 32)) * Multiplier;
        return hash ^ (hash >> 29);
    }

    public override readonly int GetHashCode()
    {
        var hash = Hash64();
        return (int)hash ^ (int)(hash >> 32);
    }

    public static bool operator ==(FlowKey left, FlowKey right) => left.Equals(right);

    public static bool operator !=(FlowKey left, FlowKey right) => !left.Equals(right);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private readonly ulong Get(int word, int shift, int bits) => (_words[word] >> shift) & (ulong.MaxValue >> (64 - bits));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Set(int word, int shift, int bits, ulong value)
    {
        var fieldMask = (ulong.MaxValue >> (64 - bits)) << shift;
        _words[word] = (_words[word] & ~fieldMask) | ((value << shift) & fieldMask);
    }

    private static ReadOnlySpan<Vector256<ulong>> Vectors(in FlowKey key) =>
        MemoryMarshal.Cast<ulong, Vector256<ulong>>(key.ReadOnlyWords);

    private static Span<Vector256<ulong>> VectorsMutable(ref FlowKey key) =>
        MemoryMarshal.Cast<ulong, Vector256<ulong>>(key.Words);

    [InlineArray(WordCount)]
    private struct FlowWords
    {
        private ulong _element;
    }
}

/// <summary>IP fragmentation state, as the flow key records it.</summary>
[Flags]
public enum IpFragment : byte
{
    None = 0,
    IsFragment = 1,
    LaterFragment = 2,
}
