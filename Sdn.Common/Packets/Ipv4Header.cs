using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Sdn.Common.Packets;

/// <summary>
/// An IPv4 header with its options (RFC 791 §3.1); the payload is cut at the total length, so Ethernet
/// padding never reaches the layer above.
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |Version|  IHL  |   DSCP    |ECN|          Total Length         |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |         Identification        |0|D|M|     Fragment Offset     |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |  Time to Live |    Protocol   |         Header Checksum       |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                       Source Address                          |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                    Destination Address                        |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                    Options (IHL > 5) ...                      |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// IHL counts 32-bit words, the fragment offset 8-byte units; D is don't fragment, M more fragments.
/// </summary>
public readonly ref struct Ipv4Header
{
    public const int MinimumSize = 20;
    public const int MaximumSize = 60;
    public const int TotalLengthOffset = 2;
    public const int FlagsOffset = 6;
    public const int TtlOffset = 8;
    public const int ChecksumOffset = 10;
    public const int SourceOffset = 12;
    public const int DestinationOffset = 16;
    private const ushort DontFragmentFlag = 0x4000;
    private const ushort MoreFragmentsFlag = 0x2000;
    private const ushort FragmentOffsetMask = 0x1FFF;

    private readonly ReadOnlySpan<byte> _packet;

    private Ipv4Header(ReadOnlySpan<byte> packet, int headerLength)
    {
        _packet = packet;
        HeaderLength = headerLength;
    }

    /// <summary>The header length in bytes, options included.</summary>
    public int HeaderLength { get; }

    public byte Dscp => (byte)(_packet[1] >> 2);

    public byte Ecn => (byte)(_packet[1] & 0x3);

    public ushort TotalLength => BinaryPrimitives.ReadUInt16BigEndian(_packet[TotalLengthOffset..]);

    public ushort Identification => BinaryPrimitives.ReadUInt16BigEndian(_packet[4..]);

    public bool DontFragment => (FlagsAndOffset & DontFragmentFlag) != 0;

    public bool MoreFragments => (FlagsAndOffset & MoreFragmentsFlag) != 0;

    // FragmentOffset and IsFragment read the field themselves: through FlagsAndOffset, a getter calling a
    // getter, the JIT did not inline them into the flow-key extractor.

    /// <summary>The fragment offset in 8-byte units.</summary>
    public ushort FragmentOffset => (ushort)(BinaryPrimitives.ReadUInt16BigEndian(_packet[FlagsOffset..]) & FragmentOffsetMask);

    /// <summary>True for every fragment of a fragmented datagram, the first included.</summary>
    public bool IsFragment => (BinaryPrimitives.ReadUInt16BigEndian(_packet[FlagsOffset..]) & (MoreFragmentsFlag | FragmentOffsetMask)) != 0;

    public byte Ttl => _packet[TtlOffset];

    public byte Protocol => _packet[9];

    public ushort Checksum => BinaryPrimitives.ReadUInt16BigEndian(_packet[ChecksumOffset..]);

    public uint Source => BinaryPrimitives.ReadUInt32BigEndian(_packet[SourceOffset..]);

    public uint Destination => BinaryPrimitives.ReadUInt32BigEndian(_packet[DestinationOffset..]);

    public ReadOnlySpan<byte> Options => _packet[MinimumSize..HeaderLength];

    public ReadOnlySpan<byte> Header => _packet[..HeaderLength];

    /// <summary>The payload up to the total length.</summary>
    public ReadOnlySpan<byte> Payload => _packet[HeaderLength..TotalLength];

    public bool IsChecksumValid => InternetChecksum.Verify(Header);

    private ushort FlagsAndOffset => BinaryPrimitives.ReadUInt16BigEndian(_packet[FlagsOffset..]);

    /// <summary>
    /// Truncated when the bytes end before the header or the total length; malformed when the version is
    /// not 4, IHL is below 5, or the total length is shorter than the header. The checksum is not checked here
    /// (see <see cref="IsChecksumValid"/>): a switch forwards what it is given.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ParseStatus Parse(ReadOnlySpan<byte> packet, out Ipv4Header header)
    {
        header = default;
        if (packet.Length < MinimumSize)
        {
            return ParseStatus.Truncated;
        }

        var versionAndLength = packet[0];
        var headerLength = (versionAndLength & 0xF) * 4;
        if (versionAndLength >> 4 != 4 || headerLength < MinimumSize)
        {
            return ParseStatus.Malformed;
        }

        var totalLength = BinaryPrimitives.ReadUInt16BigEndian(packet[TotalLengthOffset..]);
        if (totalLength < headerLength)
        {
            return ParseStatus.Malformed;
        }

        if (packet.Length < totalLength)
        {
            return ParseStatus.Truncated;
        }

        header = new Ipv4Header(packet, headerLength);
        return ParseStatus.Ok;
    }

    /// <summary>
    /// Writes a header with <paramref name="options"/> (a multiple of 4 bytes, at most 40) and its checksum.
    /// False when the destination is too small or the options do not fit.
    /// </summary>
    /// <param name="fragmentOffset">In 8-byte units.</param>
    public static bool TryWrite(
        Span<byte> destination,
        uint source,
        uint destinationAddress,
        byte protocol,
        int payloadLength,
        byte ttl = 64,
        ushort identification = 0,
        byte dscp = 0,
        byte ecn = 0,
        bool dontFragment = false,
        bool moreFragments = false,
        ushort fragmentOffset = 0,
        ReadOnlySpan<byte> options = default)
    {
        var headerLength = MinimumSize + options.Length;
        if (options.Length % 4 != 0 || headerLength > MaximumSize || destination.Length < headerLength
            || (uint)(headerLength + payloadLength) > ushort.MaxValue)
        {
            return false;
        }

        destination[0] = (byte)(0x40 | (headerLength / 4));
        destination[1] = (byte)((dscp << 2) | (ecn & 0x3));
        BinaryPrimitives.WriteUInt16BigEndian(destination[TotalLengthOffset..], (ushort)(headerLength + payloadLength));
        BinaryPrimitives.WriteUInt16BigEndian(destination[4..], identification);
        var flags = (dontFragment ? DontFragmentFlag : 0) | (moreFragments ? MoreFragmentsFlag : 0);
        BinaryPrimitives.WriteUInt16BigEndian(destination[FlagsOffset..], (ushort)(flags | (fragmentOffset & FragmentOffsetMask)));
        destination[TtlOffset] = ttl;
        destination[9] = protocol;
        BinaryPrimitives.WriteUInt32BigEndian(destination[SourceOffset..], source);
        BinaryPrimitives.WriteUInt32BigEndian(destination[DestinationOffset..], destinationAddress);
        options.CopyTo(destination[MinimumSize..]);
        WriteChecksum(destination[..headerLength]);
        return true;
    }

    /// <summary>Recomputes the checksum of <paramref name="header"/> (exactly the header, options included) in place.</summary>
    public static void WriteChecksum(Span<byte> header) => InternetChecksum.Store(header, ChecksumOffset);

    /// <summary>
    /// Decrements the TTL of the header at the start of <paramref name="packet"/> and fixes its checksum
    /// incrementally. Returns the new TTL; a zero TTL is left alone and returns 0, for the caller to drop.
    /// </summary>
    public static byte DecrementTtl(Span<byte> packet)
    {
        // TTL, protocol and checksum lie side by side: one load and one store. Reading the TTL's word back after
        // storing the TTL byte alone would stall, as a load that a narrower store only partly covers does.
        var word = BinaryPrimitives.ReadUInt32BigEndian(packet[TtlOffset..]);
        var ttlAndProtocol = (ushort)(word >> 16);
        if (ttlAndProtocol >> 8 == 0)
        {
            return 0;
        }

        var decremented = (ushort)(ttlAndProtocol - 0x100);
        var checksum = InternetChecksum.Update((ushort)word, ttlAndProtocol, decremented);
        BinaryPrimitives.WriteUInt32BigEndian(packet[TtlOffset..], ((uint)decremented << 16) | checksum);
        return (byte)(decremented >> 8);
    }
}
