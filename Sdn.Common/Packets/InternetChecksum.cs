using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Sdn.Common.Packets;

/// <summary>
/// The internet checksum (RFC 1071): the ones' complement of the ones' complement sum of 16-bit words,
/// with incremental update (RFC 1624).
/// </summary>
/// <remarks>
/// Sums are carried unfolded in a <see cref="ulong"/> so that headers, payloads and pseudo-headers can be
/// added in any order and folded once. Adding 32-bit big-endian words is the same as adding their two
/// 16-bit halves, because 2^16 ≡ 1 modulo 2^16 − 1. Checksums are handled as the 16-bit big-endian number
/// that sits in the packet.
/// </remarks>
public static class InternetChecksum
{
    /// <summary>Adds <paramref name="data"/> as big-endian 16-bit words (an odd last byte padded with zero).</summary>
    public static ulong Add(ulong sum, ReadOnlySpan<byte> data)
    {
        var i = 0;
        for (; i + 4 <= data.Length; i += 4)
        {
            sum += BinaryPrimitives.ReadUInt32BigEndian(data[i..]);
        }

        if (i + 2 <= data.Length)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(data[i..]);
            i += 2;
        }

        if (i < data.Length)
        {
            sum += (uint)data[i] << 8;
        }

        return sum;
    }

    /// <summary>Folds the carries of <paramref name="sum"/> back in, giving the 16-bit ones' complement sum.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort Fold(ulong sum)
    {
        sum = (sum & 0xFFFF_FFFF) + (sum >> 32);
        sum = (sum & 0xFFFF) + (sum >> 16);
        sum = (sum & 0xFFFF) + (sum >> 16);
        return (ushort)((sum & 0xFFFF) + (sum >> 16));
    }

    /// <summary>The checksum to store for <paramref name="data"/> (whose checksum field is zero) plus <paramref name="sum"/>.</summary>
    public static ushort Compute(ReadOnlySpan<byte> data, ulong sum = 0) => (ushort)~Fold(Add(sum, data));

    /// <summary>True when <paramref name="data"/>, checksum field included, plus <paramref name="sum"/> verifies.</summary>
    public static bool Verify(ReadOnlySpan<byte> data, ulong sum = 0) => Fold(Add(sum, data)) == 0xFFFF;

    /// <summary>
    /// Computes the checksum of <paramref name="data"/> plus <paramref name="sum"/> and stores it at
    /// <paramref name="checksumOffset"/>, which is zeroed first.
    /// </summary>
    public static ushort Store(Span<byte> data, int checksumOffset, ulong sum = 0)
    {
        BinaryPrimitives.WriteUInt16BigEndian(data[checksumOffset..], 0);
        var checksum = Compute(data, sum);
        BinaryPrimitives.WriteUInt16BigEndian(data[checksumOffset..], checksum);
        return checksum;
    }

    /// <summary>The IPv4 pseudo-header (RFC 768, RFC 9293 §3.1) of a TCP or UDP segment of <paramref name="length"/> bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong PseudoHeaderSum(uint source, uint destination, byte protocol, int length) =>
        (ulong)source + destination + protocol + (uint)length;

    /// <summary>The IPv6 pseudo-header (RFC 8200 §8.1) of an upper-layer packet of <paramref name="length"/> bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong PseudoHeaderSum(UInt128 source, UInt128 destination, byte nextHeader, int length) =>
        SumOf(source) + SumOf(destination) + nextHeader + (uint)length;

    /// <summary>
    /// The checksum after a 16-bit word covered by it changes from <paramref name="oldValue"/> to
    /// <paramref name="newValue"/>: RFC 1624 eqn. 3, HC' = ~(~HC + ~m + m'), which equals a full recomputation.
    /// </summary>
    /// <remarks>UDP's "no checksum" zero is the caller's to preserve, and a computed zero is sent as 0xFFFF.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort Update(ushort checksum, ushort oldValue, ushort newValue) =>
        (ushort)~Fold((uint)(ushort)~checksum + (ushort)~oldValue + newValue);

    /// <summary><see cref="Update(ushort, ushort, ushort)"/> for a 32-bit field such as an IPv4 address.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort Update(ushort checksum, uint oldValue, uint newValue) =>
        (ushort)~Fold((ulong)(ushort)~checksum + ~oldValue + newValue);

    /// <summary><see cref="Update(ushort, ushort, ushort)"/> for a 128-bit field such as an IPv6 address.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort Update(ushort checksum, UInt128 oldValue, UInt128 newValue) =>
        (ushort)~Fold((ushort)~checksum + SumOf(~oldValue) + SumOf(newValue));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong SumOf(UInt128 value)
    {
        var high = (ulong)(value >> 64);
        var low = (ulong)value;
        return (high >> 32) + (high & 0xFFFF_FFFF) + (low >> 32) + (low & 0xFFFF_FFFF);
    }
}
