using System.Buffers.Binary;

namespace Sdn.Fabric.Core.Links;

/// <summary>
/// The header that starts each datagram of a frame too long for one datagram of the underlay's path: an MPLS label stack
/// entry with the extension label 15 (RFC 7274), so that no label-switching router forwards a stray chunk as a frame,
/// then the chunk's index and the whole frame's length. The chunks of a frame go in one segmentation offload send, so
/// an underlay of veths and bridges carries them as one packet and a UDP_GRO receiver reads them in one message.
/// </summary>
internal static class SuperFrameChunk
{
    public const int HeaderSize = 8;

    // Label 15, traffic class 0, bottom of stack clear, TTL 0: what no frame of this fabric starts with.
    private const uint ExtensionLabelEntry = 15 << 12;

    /// <summary>How many chunks of datagrams of <paramref name="datagramSize"/> bytes carry a frame of <paramref name="frameLength"/>.</summary>
    public static int Count(int frameLength, int datagramSize)
    {
        var piece = datagramSize - HeaderSize;
        return (frameLength + piece - 1) / piece;
    }

    public static void Write(Span<byte> header, int index, int frameLength)
    {
        BinaryPrimitives.WriteUInt32BigEndian(header, ExtensionLabelEntry);
        BinaryPrimitives.WriteUInt32BigEndian(header[4..], ((uint)index << 24) | (uint)frameLength);
    }

    /// <summary>Whether <paramref name="datagram"/> is a chunk; its index and the length of the frame it is part of when so.</summary>
    public static bool TryRead(ReadOnlySpan<byte> datagram, out int index, out int frameLength)
    {
        if (datagram.Length > HeaderSize)
        {
            return TryReadHeader(datagram, out index, out frameLength);
        }

        index = frameLength = 0;
        return false;
    }

    /// <summary>Whether <paramref name="header"/> starts with a chunk's header; the chunk's index and its frame's length when so.</summary>
    public static bool TryReadHeader(ReadOnlySpan<byte> header, out int index, out int frameLength)
    {
        if (header.Length < HeaderSize || BinaryPrimitives.ReadUInt32BigEndian(header) != ExtensionLabelEntry)
        {
            index = frameLength = 0;
            return false;
        }

        var word = BinaryPrimitives.ReadUInt32BigEndian(header[4..]);
        index = (int)(word >> 24);
        frameLength = (int)(word & 0xFF_FFFF);
        return true;
    }
}
