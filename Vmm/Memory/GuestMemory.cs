using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Sdn.Common.Interop;

namespace Sdn.Vmm.Memory;

/// <summary>
/// Guest RAM: one anonymous mapping registered with KVM at guest-physical address 0.
/// Every access from the VMM is bounds-checked against <see cref="Size"/>; guest addresses never reach a raw pointer unchecked.
/// </summary>
public sealed unsafe class GuestMemory : IDisposable
{
    private byte* _base;

    public GuestMemory(ulong size)
    {
        if (size == 0 || size % 0x20_0000 != 0)
        {
            throw new VmmException($"guest RAM must be a non-zero multiple of 2 MiB, got {size} bytes — round the VM's memory size up");
        }

        var address = LibC.Mmap(0, (nuint)size, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_PRIVATE | LibC.MAP_ANONYMOUS | LibC.MAP_NORESERVE, -1, 0);
        if (address == LibC.MapFailed)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new VmmException($"mapping {size >> 20} MiB of guest RAM failed: {LibC.ErrorText(errno)} — give the VM less memory or free some on the host");
        }

        // SAFETY: the mapping is Size bytes long and stays mapped until Dispose; every access below checks its range.
        _base = (byte*)address;
        Size = size;
    }

    public ulong Size { get; }

    /// <summary>The host address of guest-physical 0, for KVM_SET_USER_MEMORY_REGION.</summary>
    public nint HostAddress => (nint)_base;

    /// <summary>True when [<paramref name="address"/>, +<paramref name="length"/>) lies inside RAM.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Contains(ulong address, ulong length) => address <= Size && length <= Size - address;

    /// <summary>
    /// A pointer to guest-physical <paramref name="address"/>, valid for <paramref name="length"/> bytes, or null when the range is outside RAM.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    // SAFETY: the pointer is formed only after Contains checked the whole range.
    public byte* PointerTo(ulong address, ulong length) => Contains(address, length) ? _base + address : null;

    /// <summary>The bytes at [<paramref name="address"/>, +<paramref name="length"/>); throws when the range is outside RAM.</summary>
    public Span<byte> Slice(ulong address, int length)
    {
        var pointer = PointerTo(address, (ulong)length);
        if (pointer == null)
        {
            throw new VmmException($"guest range 0x{address:x}+{length} lies outside the VM's {Size >> 20} MiB of RAM — give the VM more memory or load the image lower");
        }

        // SAFETY: PointerTo checked that the whole range lies inside the mapping, which lives until Dispose.
        return new Span<byte>(pointer, length);
    }

    public void Write(ulong address, ReadOnlySpan<byte> bytes) => bytes.CopyTo(Slice(address, bytes.Length));

    public void WriteUInt64(ulong address, ulong value) => MemoryMarshal.Write(Slice(address, 8), in value);

    /// <summary>How much of guest RAM is resident on the host (the pages the guest or the VMM touched).</summary>
    public long ResidentBytes()
    {
        const int PageSize = 4096;
        var pages = (int)(Size / PageSize);
        var residency = new byte[pages];
        fixed (byte* vector = residency)
        {
            // SAFETY: the vector has one byte per page of the mapping, which is page-aligned and still mapped.
            if (LibC.Mincore((nint)_base, (nuint)Size, vector) != 0)
            {
                return 0;
            }
        }

        return residency.Count(page => (page & 1) != 0) * (long)PageSize;
    }

    public void Dispose()
    {
        if (_base != null)
        {
            _ = LibC.Munmap((nint)_base, (nuint)Size);
            _base = null;
        }
    }
}
