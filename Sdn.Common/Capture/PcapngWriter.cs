using System.Buffers.Binary;
using System.Text;

namespace Sdn.Common.Capture;

/// <summary>
/// Writes a pcapng file (draft-ietf-opsawg-pcapng): one section header, one interface
/// description per captured port, and an enhanced packet block per frame with a nanosecond
/// timestamp, the direction flag and an optional comment.
/// </summary>
/// <remarks>
/// Every block shares one frame:
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +---------------------------------------------------------------+
/// |                          Block Type                           |
/// +---------------------------------------------------------------+
/// |                      Block Total Length                       |
/// +---------------------------------------------------------------+
/// /                          Block Body (padded to 32 bits)       /
/// +---------------------------------------------------------------+
/// |                      Block Total Length                       |
/// +---------------------------------------------------------------+
/// </code>
/// Options inside a body are (code: u16, length: u16, value padded to 32 bits), ended by code 0.
/// Blocks are written little-endian, announced by the section header's byte-order magic.
/// One scratch buffer is reused for every block, so writing a packet allocates nothing.
/// </remarks>
public sealed class PcapngWriter : IDisposable
{
    private const uint SectionHeaderType = 0x0A0D0D0A;
    private const uint InterfaceDescriptionType = 0x00000001;
    private const uint EnhancedPacketType = 0x00000006;
    private const uint ByteOrderMagic = 0x1A2B3C4D;

    private const ushort OptEndOfOptions = 0;
    private const ushort OptComment = 1;
    private const ushort OptShbUserApplication = 4;
    private const ushort OptIfName = 2;
    private const ushort OptIfDescription = 3;
    private const ushort OptIfTimestampResolution = 9;
    private const ushort OptEpbFlags = 2;

    private const byte NanosecondResolution = 9;
    private const int MaxCommentBytes = 1024;

    private readonly Stream _output;
    private readonly bool _ownsOutput;
    private readonly byte[] _scratch;
    private int _interfaceCount;

    /// <summary>Starts a section on <paramref name="output"/>. Call <see cref="AddInterface"/> before writing packets.</summary>
    public PcapngWriter(Stream output, int maxPacketLength = 65535, bool ownsOutput = true)
    {
        ArgumentNullException.ThrowIfNull(output);
        _output = output;
        _ownsOutput = ownsOutput;
        _scratch = new byte[64 + Pad4(maxPacketLength) + 8 + MaxCommentBytes + 8];
        WriteSectionHeader();
    }

    /// <summary>Starts a section on <paramref name="output"/> with one interface per port, their ids in list order.</summary>
    public static PcapngWriter ForPorts(Stream output, IReadOnlyList<CapturePort> ports, int snapLength)
    {
        ArgumentNullException.ThrowIfNull(ports);
        var writer = new PcapngWriter(output, snapLength);
        foreach (var port in ports)
        {
            writer.AddInterface(port.Name, port.Description, port.LinkType, snapLength);
        }

        return writer;
    }

    /// <summary>The number of bytes written so far, for file-size bounds.</summary>
    public long BytesWritten { get; private set; }

    /// <summary>Describes a port; returns the interface id that packets from it are written with.</summary>
    public int AddInterface(string name, string description, LinkType linkType, int snapLength)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(description);
        var block = BeginBlock(InterfaceDescriptionType, out var body);
        BinaryPrimitives.WriteUInt16LittleEndian(body, (ushort)linkType);
        BinaryPrimitives.WriteUInt16LittleEndian(body[2..], 0);
        BinaryPrimitives.WriteUInt32LittleEndian(body[4..], (uint)snapLength);
        var length = 8;
        length += WriteOption(body[length..], OptIfName, Encoding.UTF8.GetBytes(name));
        length += WriteOption(body[length..], OptIfDescription, Encoding.UTF8.GetBytes(description));
        length += WriteOption(body[length..], OptIfTimestampResolution, [NanosecondResolution]);
        length += WriteEndOfOptions(body[length..]);
        EndBlock(block, length);
        return _interfaceCount++;
    }

    /// <summary>
    /// Writes one packet. <paramref name="packet"/> holds the captured bytes (already cut to the
    /// snap length); <paramref name="originalLength"/> is the frame's length on the wire.
    /// </summary>
    public void WritePacket(
        int interfaceId,
        long timestampNanoseconds,
        ReadOnlySpan<byte> packet,
        int originalLength,
        CaptureDirection direction,
        ReadOnlySpan<byte> utf8Comment = default)
    {
        if ((uint)interfaceId >= (uint)_interfaceCount)
        {
            throw new ArgumentOutOfRangeException(nameof(interfaceId), interfaceId, "no interface description with this id was written");
        }

        var comment = utf8Comment.Length > MaxCommentBytes ? utf8Comment[..MaxCommentBytes] : utf8Comment;
        var captured = Math.Min(packet.Length, _scratch.Length - 64 - 8 - MaxCommentBytes - 8);
        var block = BeginBlock(EnhancedPacketType, out var body);
        BinaryPrimitives.WriteUInt32LittleEndian(body, (uint)interfaceId);
        BinaryPrimitives.WriteUInt32LittleEndian(body[4..], (uint)((ulong)timestampNanoseconds >> 32));
        BinaryPrimitives.WriteUInt32LittleEndian(body[8..], (uint)timestampNanoseconds);
        BinaryPrimitives.WriteUInt32LittleEndian(body[12..], (uint)captured);
        BinaryPrimitives.WriteUInt32LittleEndian(body[16..], (uint)Math.Max(originalLength, captured));
        packet[..captured].CopyTo(body[20..]);
        var length = 20 + Pad4(captured);
        body[(20 + captured)..length].Clear();

        Span<byte> flags = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(flags, (uint)direction);
        length += WriteOption(body[length..], OptEpbFlags, flags);
        if (!comment.IsEmpty)
        {
            length += WriteOption(body[length..], OptComment, comment);
        }

        length += WriteEndOfOptions(body[length..]);
        EndBlock(block, length);
    }

    public void Flush() => _output.Flush();

    public void Dispose()
    {
        _output.Flush();
        if (_ownsOutput)
        {
            _output.Dispose();
        }
    }

    private void WriteSectionHeader()
    {
        var block = BeginBlock(SectionHeaderType, out var body);
        BinaryPrimitives.WriteUInt32LittleEndian(body, ByteOrderMagic);
        BinaryPrimitives.WriteUInt16LittleEndian(body[4..], 1);
        BinaryPrimitives.WriteUInt16LittleEndian(body[6..], 0);
        BinaryPrimitives.WriteInt64LittleEndian(body[8..], -1);
        var length = 16;
        length += WriteOption(body[length..], OptShbUserApplication, Encoding.UTF8.GetBytes("sdn"));
        length += WriteEndOfOptions(body[length..]);
        EndBlock(block, length);
    }

    private Span<byte> BeginBlock(uint type, out Span<byte> body)
    {
        var block = _scratch.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(block, type);
        body = block[8..];
        return block;
    }

    private void EndBlock(Span<byte> block, int bodyLength)
    {
        var total = 12 + bodyLength;
        BinaryPrimitives.WriteUInt32LittleEndian(block[4..], (uint)total);
        BinaryPrimitives.WriteUInt32LittleEndian(block[(8 + bodyLength)..], (uint)total);
        _output.Write(block[..total]);
        BytesWritten += total;
    }

    private static int WriteOption(Span<byte> target, ushort code, ReadOnlySpan<byte> value)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(target, code);
        BinaryPrimitives.WriteUInt16LittleEndian(target[2..], (ushort)value.Length);
        value.CopyTo(target[4..]);
        var padded = Pad4(value.Length);
        target[(4 + value.Length)..(4 + padded)].Clear();
        return 4 + padded;
    }

    private static int WriteEndOfOptions(Span<byte> target)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(target, OptEndOfOptions);
        return 4;
    }

    private static int Pad4(int length) => (length + 3) & ~3;
}
