using System.Buffers.Binary;
using Sdn.Vmm.Guests;
using Sdn.Vmm.Kvm;
using Sdn.Vmm.Memory;

namespace Sdn.Vmm.Machine;

/// <summary>
/// Puts a vCPU straight into 64-bit long mode at CPL3: identity page tables with user pages, a GDT with DPL3
/// code and data, CR0.PE|PG, CR4.PAE, EFER.LME|LMA, RFLAGS.IOPL=3 and a TSS whose I/O
/// permission bitmap opens every port, so the guest may use port I/O.
/// There is no IDT: any exception becomes a triple fault, which the VMM reports.
/// </summary>
internal static class LongModeSetup
{
    private const ulong PagePresentWritableUser = 0x7;
    private const ulong PageLarge = 0x80;
    private const ulong TwoMiB = 0x20_0000;
    private const int MappedGiB = 4;
    private const int TssIoMapBaseOffset = 0x66;
    private const ushort TssIoBitmapOffset = 0x68;
    private const int TssLimit = TssIoBitmapOffset + 65536 / 8;

    private const ulong Cr0ProtectionEnable = 1, Cr0MonitorCoprocessor = 1 << 1, Cr0ExtensionType = 1 << 4;
    private const ulong Cr0NumericError = 1 << 5, Cr0WriteProtect = 1 << 16, Cr0Paging = 1ul << 31;
    private const ulong Cr4Pae = 1 << 5, Cr4OsFxsr = 1 << 9, Cr4OsXmmExcept = 1 << 10;
    private const ulong EferLongModeEnable = 1 << 8, EferLongModeActive = 1 << 10;
    private const ulong RflagsReserved = 1 << 1, RflagsIopl3 = 3 << 12;

    private static readonly ulong[] Gdt =
    [
        0,
        0x00AF_9A00_0000_FFFF, // kernel code, 64-bit (unused: the guest never runs at CPL0)
        0x00CF_9200_0000_FFFF, // kernel data
        0x00CF_F200_0000_FFFF, // user data, DPL3
        0x00AF_FA00_0000_FFFF, // user code, 64-bit, DPL3
        0x0000_8900_0000_0000 | TssLimit | (GuestLayout.TssAddress << 16), // 64-bit TSS, low half
        0, // 64-bit TSS, high half
    ];

    public static void WriteTables(GuestMemory memory)
    {
        // An all-zero I/O permission bitmap lets CPL3 use every port. This hypervisor does not honour
        // RFLAGS.IOPL for CPL3 code (it runs natively with the host's IOPL 0), but it does check the bitmap.
        var tss = memory.Slice(GuestLayout.TssAddress, TssLimit + 1);
        tss.Clear();
        BinaryPrimitives.WriteUInt16LittleEndian(tss[TssIoMapBaseOffset..], TssIoBitmapOffset);
        tss[TssLimit] = 0xFF; // the bitmap's terminating byte
        for (var i = 0; i < Gdt.Length; i++)
        {
            memory.WriteUInt64(GuestLayout.GdtAddress + (ulong)i * 8, Gdt[i]);
        }

        var pml4 = GuestLayout.PageTablesAddress;
        var pdpt = pml4 + 0x1000;
        var firstDirectory = pdpt + 0x1000;
        memory.WriteUInt64(pml4, pdpt | PagePresentWritableUser);
        for (ulong gib = 0; gib < MappedGiB; gib++)
        {
            var directory = firstDirectory + gib * 0x1000;
            memory.WriteUInt64(pdpt + gib * 8, directory | PagePresentWritableUser);
            for (ulong entry = 0; entry < 512; entry++)
            {
                var address = (gib * 512 + entry) * TwoMiB;
                memory.WriteUInt64(directory + entry * 8, address | PagePresentWritableUser | PageLarge);
            }
        }
    }

    public static void SetRegisters(KvmVcpu vcpu, ulong entry)
    {
        var registers = new KvmRegs
        {
            Rip = entry,
            Rsp = GuestLayout.StackTop,
            Rdi = GuestLayout.BootInfoAddress,
            Rflags = RflagsReserved | RflagsIopl3,
        };
        vcpu.SetRegisters(registers);
        var sregs = vcpu.GetSpecialRegisters();
        sregs.Cs = Segment(GuestLayout.UserCodeSelector, type: 0xB, longMode: true);
        sregs.Ss = sregs.Ds = sregs.Es = sregs.Fs = sregs.Gs = Segment(GuestLayout.UserDataSelector, type: 0x3, longMode: false);
        sregs.Tr = new KvmSegment
        {
            Base = GuestLayout.TssAddress,
            Limit = TssLimit,
            Selector = GuestLayout.TssSelector,
            Type = 0xB,
            Present = 1,
        };
        sregs.Gdt = new KvmDtable { Base = GuestLayout.GdtAddress, Limit = (ushort)(Gdt.Length * 8 - 1) };
        sregs.Idt = new KvmDtable { Base = 0, Limit = 0 };
        sregs.Cr3 = GuestLayout.PageTablesAddress;
        sregs.Cr4 = Cr4Pae | Cr4OsFxsr | Cr4OsXmmExcept;
        sregs.Cr0 = Cr0ProtectionEnable | Cr0MonitorCoprocessor | Cr0ExtensionType | Cr0NumericError | Cr0WriteProtect | Cr0Paging;
        sregs.Efer = EferLongModeEnable | EferLongModeActive;
        vcpu.SetSpecialRegisters(sregs);

        vcpu.SetRegisters(registers);
    }

    private static KvmSegment Segment(ushort selector, byte type, bool longMode) => new()
    {
        Base = 0,
        Limit = 0xFFFF_FFFF,
        Selector = selector,
        Type = type,
        Present = 1,
        Dpl = 3,
        Db = longMode ? (byte)0 : (byte)1,
        S = 1,
        L = longMode ? (byte)1 : (byte)0,
        G = 1,
    };
}
