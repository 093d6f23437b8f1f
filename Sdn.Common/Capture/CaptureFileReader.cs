using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Sdn.Common.Capture;

/// <summary>
/// Reads the packets of a pcapng file (as Sdn, tshark and Wireshark write them) or a classic pcap file (as
/// tcpdump -w writes them), for replaying a captured packet through the pipeline trace.
/// </summary>
/// <remarks>
/// pcapng blocks are parsed the way Kestrel parses frames: <see cref="TryReadBlock"/> takes the unread
/// bytes as a sequence, returns false until a whole block is there, refuses an oversize block before
/// reading it, and slices the body instead of copying it. Enhanced and simple packet blocks yield
/// packets; section headers set the byte order; interface descriptions name the ports; other blocks
/// are skipped, as the format asks.
/// </remarks>
public static class CaptureFileReader
{
    private const uint SectionHeaderType = 0x0A0D0D0A;
    private const uint InterfaceDescriptionType = 1;
    private const uint SimplePacketType = 3;
    private const uint EnhancedPacketType = 6;
    private const uint ByteOrderMagic = 0x1A2B3C4D;
    private const uint PcapMicroseconds = 0xA1B2C3D4;
    private const uint PcapNanoseconds = 0xA1B23C4D;
    private const int MaxBlockLength = 16 * 1024 * 1024;
    private const ushort OptIfName = 2;
    private const ushort OptIfTimestampResolution = 9;
    private const ushort OptEpbFlags = 2;

    /// <exception cref="CaptureFileException">The file is missing, of another format, or damaged.</exception>
    public static IReadOnlyList<CaptureFileRecord> Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CaptureFileException($"{path}: cannot read the capture file: {e.Message}", e);
        }

        if (bytes.Length < 4)
        {
            throw new CaptureFileException($"{path}: too short to be a pcapng or pcap file");
        }

        var magic = BinaryPrimitives.ReadUInt32LittleEndian(bytes);
        return magic switch
        {
            SectionHeaderType => ReadPcapng(path, bytes),
            PcapMicroseconds or PcapNanoseconds => ReadPcap(path, bytes, bigEndian: false, nanoseconds: magic == PcapNanoseconds),
            _ when BinaryPrimitives.ReverseEndianness(magic) is PcapMicroseconds or PcapNanoseconds =>
                ReadPcap(path, bytes, bigEndian: true, nanoseconds: BinaryPrimitives.ReverseEndianness(magic) == PcapNanoseconds),
            _ => throw new CaptureFileException($"{path}: not a pcapng or pcap file (it starts with 0x{magic:x8})"),
        };
    }

    /// <summary>
    /// Takes one whole block off the front of <paramref name="buffer"/>. False, leaving it untouched, when
    /// the block is not all there yet.
    /// <code>
    /// | block type (4) | total length (4) | body (total - 12) | total length (4) |
    /// </code>
    /// </summary>
    /// <exception cref="CaptureFileException">The block's length is impossible or larger than 16 MiB.</exception>
    public static bool TryReadBlock(ref ReadOnlySequence<byte> buffer, bool bigEndian, out uint type, out ReadOnlySequence<byte> body)
    {
        type = 0;
        body = default;
        Span<byte> header = stackalloc byte[8];
        if (buffer.Length < header.Length)
        {
            return false;
        }

        buffer.Slice(0, header.Length).CopyTo(header);
        var blockType = ReadUInt32(header, bigEndian);
        var sectionHeader = blockType == SectionHeaderType;
        var total = sectionHeader ? 0 : ReadUInt32(header[4..], bigEndian);
        if (sectionHeader)
        {
            // The byte order of a section is only known from the magic inside its own header block.
            Span<byte> magic = stackalloc byte[12];
            if (buffer.Length < magic.Length)
            {
                return false;
            }

            buffer.Slice(0, magic.Length).CopyTo(magic);
            bigEndian = BinaryPrimitives.ReadUInt32BigEndian(magic[8..]) == ByteOrderMagic;
            total = ReadUInt32(magic[4..], bigEndian);
        }

        if (total < 12 || total % 4 != 0 || total > MaxBlockLength)
        {
            throw new CaptureFileException($"a block of type 0x{blockType:x8} claims an impossible length of {total} bytes");
        }

        if (buffer.Length < total)
        {
            return false;
        }

        type = blockType;
        body = buffer.Slice(8, total - 12);
        buffer = buffer.Slice(total);
        return true;
    }

    private static List<CaptureFileRecord> ReadPcapng(string path, byte[] bytes)
    {
        var records = new List<CaptureFileRecord>();
        var interfaces = new List<(string Name, LinkType LinkType, long NanosecondsPerUnit)>();
        var buffer = new ReadOnlySequence<byte>(bytes);
        var bigEndian = false;
        while (buffer.Length > 0)
        {
            var offset = bytes.Length - buffer.Length;
            try
            {
                if (!TryReadBlock(ref buffer, bigEndian, out var type, out var sequence))
                {
                    throw new CaptureFileException($"the last block is cut short after {buffer.Length} bytes");
                }

                var body = sequence.IsSingleSegment ? sequence.FirstSpan : sequence.ToArray();
                switch (type)
                {
                    case SectionHeaderType:
                        bigEndian = BinaryPrimitives.ReadUInt32BigEndian(body) == ByteOrderMagic;
                        interfaces.Clear();
                        break;
                    case InterfaceDescriptionType:
                        interfaces.Add(ReadInterface(body, bigEndian));
                        break;
                    case EnhancedPacketType:
                        records.Add(ReadEnhancedPacket(body, bigEndian, interfaces));
                        break;
                    case SimplePacketType when interfaces.Count > 0:
                        var original = (int)ReadUInt32(body, bigEndian);
                        records.Add(new CaptureFileRecord(interfaces[0].Name, interfaces[0].LinkType, 0, body.Slice(4, Math.Min(original, body.Length - 4)).ToArray(), original, CaptureDirection.Unknown));
                        break;
                    default:
                        break;
                }
            }
            catch (Exception e) when (e is CaptureFileException or ArgumentOutOfRangeException)
            {
                throw new CaptureFileException($"{path}: damaged at byte {offset}: {e.Message}", e);
            }
        }

        return records;
    }

    private static (string Name, LinkType LinkType, long NanosecondsPerUnit) ReadInterface(ReadOnlySpan<byte> body, bool bigEndian)
    {
        var linkType = (LinkType)ReadUInt16(body, bigEndian);
        var name = "";
        var nanosecondsPerUnit = 1000L;
        foreach (var (code, value) in Options(body[8..], bigEndian))
        {
            if (code == OptIfName)
            {
                name = Encoding.UTF8.GetString(value.Span).TrimEnd('\0');
            }
            else if (code == OptIfTimestampResolution && value.Length == 1)
            {
                nanosecondsPerUnit = TimestampUnit(value.Span[0]);
            }
        }

        return (name, linkType, nanosecondsPerUnit);
    }

    private static CaptureFileRecord ReadEnhancedPacket(ReadOnlySpan<byte> body, bool bigEndian, List<(string Name, LinkType LinkType, long NanosecondsPerUnit)> interfaces)
    {
        var interfaceId = (int)ReadUInt32(body, bigEndian);
        if ((uint)interfaceId >= (uint)interfaces.Count)
        {
            throw new CaptureFileException($"a packet names interface {interfaceId}, but only {interfaces.Count} are described");
        }

        var (name, linkType, unit) = interfaces[interfaceId];
        var timestamp = ((long)ReadUInt32(body[4..], bigEndian) << 32) | ReadUInt32(body[8..], bigEndian);
        var captured = (int)ReadUInt32(body[12..], bigEndian);
        var original = (int)ReadUInt32(body[16..], bigEndian);
        var data = body.Slice(20, captured);
        var direction = CaptureDirection.Unknown;
        foreach (var (code, value) in Options(body[(20 + ((captured + 3) & ~3))..], bigEndian))
        {
            if (code == OptEpbFlags && value.Length == 4)
            {
                direction = (CaptureDirection)(ReadUInt32(value.Span, bigEndian) & 0x3);
            }
        }

        return new CaptureFileRecord(name, linkType, timestamp * unit, data.ToArray(), original, direction);
    }

    private static List<(ushort Code, ReadOnlyMemory<byte> Value)> Options(ReadOnlySpan<byte> options, bool bigEndian)
    {
        var found = new List<(ushort, ReadOnlyMemory<byte>)>();
        while (options.Length >= 4)
        {
            var code = ReadUInt16(options, bigEndian);
            var length = ReadUInt16(options[2..], bigEndian);
            if (code == 0 || options.Length < 4 + length)
            {
                break;
            }

            found.Add((code, options.Slice(4, length).ToArray()));
            options = options[(4 + ((length + 3) & ~3))..];
        }

        return found;
    }

    private static long TimestampUnit(byte resolution)
    {
        var exponent = resolution & 0x7F;
        if ((resolution & 0x80) != 0 || exponent > 9)
        {
            throw new CaptureFileException($"timestamp resolution 0x{resolution:x2} is not supported; only powers of ten down to nanoseconds are");
        }

        var unit = 1L;
        for (var i = exponent; i < 9; i++)
        {
            unit *= 10;
        }

        return unit;
    }

    private static List<CaptureFileRecord> ReadPcap(string path, byte[] bytes, bool bigEndian, bool nanoseconds)
    {
        const int FileHeaderLength = 24;
        const int RecordHeaderLength = 16;
        if (bytes.Length < FileHeaderLength)
        {
            throw new CaptureFileException($"{path}: the pcap file header is cut short");
        }

        var linkType = (LinkType)(ReadUInt32(bytes.AsSpan(20), bigEndian) & 0xFFFF);
        var records = new List<CaptureFileRecord>();
        for (var offset = FileHeaderLength; offset < bytes.Length;)
        {
            var header = bytes.AsSpan(offset);
            var captured = header.Length < RecordHeaderLength ? -1 : (int)ReadUInt32(header[8..], bigEndian);
            if (captured < 0 || captured > MaxBlockLength || header.Length < RecordHeaderLength + captured)
            {
                throw new CaptureFileException($"{path}: damaged at byte {offset}: the packet record is cut short or impossibly long");
            }

            var seconds = ReadUInt32(header, bigEndian);
            var fraction = ReadUInt32(header[4..], bigEndian);
            var timestamp = (seconds * 1_000_000_000L) + (nanoseconds ? fraction : fraction * 1000L);
            records.Add(new CaptureFileRecord("", linkType, timestamp, header.Slice(RecordHeaderLength, captured).ToArray(), (int)ReadUInt32(header[12..], bigEndian), CaptureDirection.Unknown));
            offset += RecordHeaderLength + captured;
        }

        return records;
    }

    private static uint ReadUInt32(ReadOnlySpan<byte> bytes, bool bigEndian) =>
        bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(bytes) : BinaryPrimitives.ReadUInt32LittleEndian(bytes);

    private static ushort ReadUInt16(ReadOnlySpan<byte> bytes, bool bigEndian) =>
        bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(bytes) : BinaryPrimitives.ReadUInt16LittleEndian(bytes);
}
