using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Sdn.Common.Packets;

/// <summary>
/// The IPv6 extension headers between the fixed header and the upper-layer packet (RFC 8200 §4), skipped to
/// find the upper-layer protocol: hop-by-hop options, routing, fragment and destination options.
/// <code>
/// Hop-by-hop, routing, destination options:     Fragment (always 8 bytes):
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+              +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |  Next Header  |  Hdr Ext Len  | ...          |  Next Header  |   Reserved    |    Fragment Offset      |Res|M|
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+              +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// (8 + 8 * Hdr Ext Len bytes in all)             |                         Identification                        |
///                                                +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// Any other next header (TCP, UDP, ICMPv6, no next header, or one this chain does not know) ends the chain.
/// </summary>
public readonly ref struct Ipv6ExtensionChain
{
    /// <summary>Longer chains are reported as malformed, so a crafted packet cannot make the parser walk far.</summary>
    public const int MaxHeaders = 8;
    public const int FragmentHeaderSize = 8;
    public const int PaddingOptionsHeaderSize = HeaderUnit;
    private const int HeaderUnit = 8;

    private readonly ReadOnlySpan<byte> _payload;

    // Forced here and on UpperLayer: the flow-key extractor's inlining budget otherwise runs out before them.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Ipv6ExtensionChain(ReadOnlySpan<byte> payload, int length, byte upperLayerProtocol, ushort fragmentField)
    {
        _payload = payload;
        Length = length;
        UpperLayerProtocol = upperLayerProtocol;
        FragmentField = fragmentField;
    }

    /// <summary>The bytes of all extension headers.</summary>
    public int Length { get; }

    /// <summary>The next header value that ended the chain.</summary>
    public byte UpperLayerProtocol { get; }

    public bool IsFragment => FragmentField != 0;

    /// <summary>The fragment offset in 8-byte units; zero without a fragment header.</summary>
    public ushort FragmentOffset => (ushort)(FragmentField >> 3);

    public bool MoreFragments => (FragmentField & 1) != 0;

    /// <summary>The upper-layer packet.</summary>
    public ReadOnlySpan<byte> UpperLayer
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _payload[Length..];
    }

    // The offset/M word of the fragment header with bit 2 (reserved) forced on, so a first fragment with
    // offset 0 and M 0 (an "atomic fragment", RFC 6946) is still told apart from no fragment header at all.
    private ushort FragmentField { get; }

    /// <summary>
    /// Skips the extension headers at the start of <paramref name="payload"/>, the payload of a fixed header
    /// whose next header is <paramref name="nextHeader"/>. Truncated when a header runs past the payload;
    /// malformed when there are more than <see cref="MaxHeaders"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ParseStatus Parse(byte nextHeader, ReadOnlySpan<byte> payload, out Ipv6ExtensionChain chain)
    {
        chain = default;
        var offset = 0;
        ushort fragmentField = 0;
        for (var count = 0; IsExtensionHeader(nextHeader); count++)
        {
            if (count == MaxHeaders)
            {
                return ParseStatus.Malformed;
            }

            if (payload.Length < offset + HeaderUnit)
            {
                return ParseStatus.Truncated;
            }

            int length;
            if (nextHeader == IpProtocols.Ipv6Fragment)
            {
                fragmentField = (ushort)(BinaryPrimitives.ReadUInt16BigEndian(payload[(offset + 2)..]) | 0x4);
                length = FragmentHeaderSize;
            }
            else
            {
                length = HeaderUnit + payload[offset + 1] * HeaderUnit;
                if (payload.Length < offset + length)
                {
                    return ParseStatus.Truncated;
                }
            }

            nextHeader = payload[offset];
            offset += length;
        }

        chain = new Ipv6ExtensionChain(payload, offset, nextHeader, fragmentField);
        return ParseStatus.Ok;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsExtensionHeader(byte nextHeader) =>
        nextHeader is IpProtocols.Ipv6HopByHop or IpProtocols.Ipv6Routing or IpProtocols.Ipv6Fragment or IpProtocols.Ipv6DestinationOptions;

    /// <summary>
    /// Writes an 8-byte hop-by-hop or destination options header that holds only padding (a PadN option).
    /// </summary>
    public static bool TryWritePaddingOptions(Span<byte> destination, byte nextHeader)
    {
        const byte PadN = 1;
        if (destination.Length < PaddingOptionsHeaderSize)
        {
            return false;
        }

        destination[..PaddingOptionsHeaderSize].Clear();
        destination[0] = nextHeader;
        destination[2] = PadN;
        destination[3] = PaddingOptionsHeaderSize - 4;
        return true;
    }

    /// <param name="fragmentOffset">In 8-byte units.</param>
    public static bool TryWriteFragment(Span<byte> destination, byte nextHeader, ushort fragmentOffset, bool moreFragments, uint identification)
    {
        if (destination.Length < FragmentHeaderSize)
        {
            return false;
        }

        destination[0] = nextHeader;
        destination[1] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)((fragmentOffset << 3) | (moreFragments ? 1 : 0)));
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], identification);
        return true;
    }
}
