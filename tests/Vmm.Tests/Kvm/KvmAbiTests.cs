using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Sdn.Common.Interop;
using Sdn.Vmm.Kvm;

namespace Sdn.Vmm.Tests.Kvm;

/// <summary>The structs we pass to the kernel must match linux/kvm.h byte for byte.</summary>
public class KvmAbiTests
{
    [Fact]
    public void Struct_sizes_match_the_kernel()
    {
        Assert.Equal(144, Unsafe.SizeOf<KvmRegs>());
        Assert.Equal(24, Unsafe.SizeOf<KvmSegment>());
        Assert.Equal(16, Unsafe.SizeOf<KvmDtable>());
        Assert.Equal(312, Unsafe.SizeOf<KvmSregs>());
        Assert.Equal(32, Unsafe.SizeOf<KvmUserspaceMemoryRegion>());
        Assert.Equal(40, Unsafe.SizeOf<KvmCpuidEntry2>());
        Assert.Equal(8, Unsafe.SizeOf<KvmCpuid2Header>());
        Assert.Equal(64, Unsafe.SizeOf<KvmIoeventfd>());
        Assert.Equal(32, Unsafe.SizeOf<KvmIrqfd>());
        Assert.Equal(8, Unsafe.SizeOf<PollFd>());
        Assert.Equal(152, Unsafe.SizeOf<SigActionStruct>());
    }

    [Fact]
    public void Field_offsets_match_the_kernel()
    {
        Assert.Equal(128, Offset<KvmRegs>(nameof(KvmRegs.Rip)));
        Assert.Equal(136, Offset<KvmRegs>(nameof(KvmRegs.Rflags)));
        Assert.Equal(14, Offset<KvmSegment>(nameof(KvmSegment.Type)));
        Assert.Equal(21, Offset<KvmSegment>(nameof(KvmSegment.Avl)));
        Assert.Equal(22, Offset<KvmSegment>(nameof(KvmSegment.Unusable)));
        Assert.Equal(192, Offset<KvmSregs>(nameof(KvmSregs.Gdt)));
        Assert.Equal(224, Offset<KvmSregs>(nameof(KvmSregs.Cr0)));
        Assert.Equal(264, Offset<KvmSregs>(nameof(KvmSregs.Efer)));
        Assert.Equal(280, Offset<KvmSregs>(nameof(KvmSregs.InterruptBitmap)));
        Assert.Equal(8, Offset<KvmRun>(nameof(KvmRun.ExitReason)));
        Assert.Equal(32, Offset<KvmRun>(nameof(KvmRun.Io)));
        Assert.Equal(2, Offset<KvmRunIo>(nameof(KvmRunIo.Port)));
        Assert.Equal(8, Offset<KvmRunIo>(nameof(KvmRunIo.DataOffset)));
        Assert.Equal(8, Offset<KvmRunMmio>(nameof(KvmRunMmio.Data)));
        Assert.Equal(16, Offset<KvmRunMmio>(nameof(KvmRunMmio.Length)));
        Assert.Equal(20, Offset<KvmRunMmio>(nameof(KvmRunMmio.IsWrite)));
        Assert.Equal(16, Offset<KvmUserspaceMemoryRegion>(nameof(KvmUserspaceMemoryRegion.MemorySize)));
        Assert.Equal(20, Offset<KvmIoeventfd>(nameof(KvmIoeventfd.Fd)));
        Assert.Equal(136, Offset<SigActionStruct>(nameof(SigActionStruct.Flags)));
    }

    [Fact]
    public void Ioctl_numbers_encode_the_struct_sizes()
    {
        Assert.Equal((nuint)0x8090AE81, KvmIoctl.GetRegs);
        Assert.Equal((nuint)0x4138AE84, KvmIoctl.SetSregs);
        Assert.Equal((nuint)0x4020AE46, KvmIoctl.SetUserMemoryRegion);
        Assert.Equal((nuint)0x4040AE79, KvmIoctl.Ioeventfd);
        Assert.Equal((nuint)0xC008AE05, KvmIoctl.GetSupportedCpuid);
        Assert.Equal((nuint)0xAE80, KvmIoctl.Run);
    }

    private static int Offset<T>(string field) => (int)Marshal.OffsetOf<T>(field);
}
