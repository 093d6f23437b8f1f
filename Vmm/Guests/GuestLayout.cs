namespace Sdn.Vmm.Guests;

/// <summary>
/// The guest-physical memory map every guest sees (the ABI in Vmm/README.md). RAM starts at 0 and is
/// identity-mapped with user-accessible 2 MiB pages over the first 4 GiB, so guest virtual = guest physical.
/// </summary>
public static class GuestLayout
{
    /// <summary>The GDT: null, kernel code/data (unused), user data (0x18), user code (0x20), TSS (0x28).</summary>
    public const ulong GdtAddress = 0x1000;

    /// <summary>The 64-bit TSS the task register points at, with an I/O permission bitmap that opens every port (to 0xC068).</summary>
    public const ulong TssAddress = 0xA000;

    /// <summary>The boot-info page (<see cref="BootInfo"/>); RDI holds this address at entry.</summary>
    public const ulong BootInfoAddress = 0x3000;

    /// <summary>PML4, then one PDPT, then four page directories.</summary>
    public const ulong PageTablesAddress = 0x4000;

    /// <summary>The initial stack pointer; the stack grows down towards 0x10000.</summary>
    public const ulong StackTop = 0x8_0000;

    /// <summary>Where a flat image and the built-in micro-guests are loaded and entered.</summary>
    public const ulong ImageAddress = 0x8_0000;

    /// <summary>The lowest address an image may occupy.</summary>
    public const ulong LowestImageAddress = 0x8_0000;

    /// <summary>The start of memory that is the guest's own to use (rings, buffers), unless an image extends past it.</summary>
    public const ulong FreeMemoryStart = 0x10_0000;

    /// <summary>The first virtio-mmio device; device n sits at <c>VirtioMmioBase + n * VirtioMmioStride</c>.</summary>
    public const ulong VirtioMmioBase = 0xD000_0000;

    public const ulong VirtioMmioStride = 0x1000;

    /// <summary>Device n raises interrupt line <c>VirtioFirstGsi + n</c> (IOAPIC pin).</summary>
    public const uint VirtioFirstGsi = 5;

    /// <summary>User-mode selectors (RPL 3).</summary>
    public const ushort UserCodeSelector = 0x23;

    public const ushort UserDataSelector = 0x1B;

    public const ushort TssSelector = 0x28;
}
