using System.Buffers.Binary;

namespace Sdn.Vmm.Guests;

/// <summary>
/// Reads a static x86-64 ELF64 executable into a <see cref="GuestImage"/>: each PT_LOAD segment goes to its
/// physical address (guest virtual = physical), its memory size beyond the file size is zero-filled, and the
/// entry point is e_entry. Loading checks everything it reads against the file's length.
/// </summary>
public static class ElfLoader
{
    private const int HeaderSize = 64;
    private const int ProgramHeaderSize = 56;
    private const ushort TypeExecutable = 2;
    private const ushort MachineX86_64 = 0x3E;
    private const uint SegmentLoad = 1;

    public static bool IsElf(ReadOnlySpan<byte> file) => file.Length >= 4 && file[0] == 0x7F && file[1] == (byte)'E' && file[2] == (byte)'L' && file[3] == (byte)'F';

    public static GuestImage Load(ReadOnlySpan<byte> file)
    {
        if (!IsElf(file) || file.Length < HeaderSize)
        {
            throw Invalid("it does not start with an ELF header");
        }

        if (file[4] != 2 || file[5] != 1)
        {
            throw Invalid("it is not a little-endian ELF64 file; build for x86-64");
        }

        var type = BinaryPrimitives.ReadUInt16LittleEndian(file[16..]);
        var machine = BinaryPrimitives.ReadUInt16LittleEndian(file[18..]);
        if (machine != MachineX86_64)
        {
            throw Invalid($"its machine is 0x{machine:x}, not x86-64 (0x3e)");
        }

        if (type != TypeExecutable)
        {
            throw Invalid($"its type is {type}, not a static executable (2); link with -static -no-pie");
        }

        var entry = BinaryPrimitives.ReadUInt64LittleEndian(file[24..]);
        var programHeaders = BinaryPrimitives.ReadUInt64LittleEndian(file[32..]);
        var entrySize = BinaryPrimitives.ReadUInt16LittleEndian(file[54..]);
        var count = BinaryPrimitives.ReadUInt16LittleEndian(file[56..]);
        if (entrySize < ProgramHeaderSize || programHeaders + (ulong)entrySize * count > (ulong)file.Length)
        {
            throw Invalid("its program headers lie outside the file");
        }

        var segments = new List<GuestImage.Segment>();
        for (var i = 0; i < count; i++)
        {
            var header = file.Slice((int)programHeaders + i * entrySize, ProgramHeaderSize);
            if (BinaryPrimitives.ReadUInt32LittleEndian(header) != SegmentLoad)
            {
                continue;
            }

            var offset = BinaryPrimitives.ReadUInt64LittleEndian(header[8..]);
            var physical = BinaryPrimitives.ReadUInt64LittleEndian(header[24..]);
            var fileSize = BinaryPrimitives.ReadUInt64LittleEndian(header[32..]);
            var memorySize = BinaryPrimitives.ReadUInt64LittleEndian(header[40..]);
            if (offset > (ulong)file.Length || fileSize > (ulong)file.Length - offset || memorySize < fileSize)
            {
                throw Invalid($"load segment {i} lies outside the file or is smaller in memory than on disk");
            }

            segments.Add(new GuestImage.Segment(physical, file.Slice((int)offset, (int)fileSize).ToArray(), memorySize - fileSize));
        }

        if (segments.Count == 0)
        {
            throw Invalid("it has no PT_LOAD segment");
        }

        return new GuestImage(segments, entry);
    }

    /// <summary>Loads <paramref name="path"/>: an ELF64 executable, or else a flat binary entered at its first byte.</summary>
    public static GuestImage LoadFile(string path)
    {
        var bytes = File.ReadAllBytes(path);
        return IsElf(bytes) ? Load(bytes) : GuestImage.Flat(bytes);
    }

    private static VmmException Invalid(string why) =>
        new($"cannot load the ELF image: {why} — see Vmm/README.md (\"Loading your own image\") for the expected format");
}
