namespace Sdn.Vmm.Kvm;

/// <summary>
/// The KVM ioctl request numbers (linux/kvm.h), encoded as _IO/_IOR/_IOW/_IOWR over type 0xAE
/// with the size of the argument struct, which <c>KvmAbiTests</c> checks against our struct sizes.
/// </summary>
internal static class KvmIoctl
{
    private const uint Type = 0xAE;
    private const uint None = 0;
    private const uint Write = 1;
    private const uint ReadBack = 2;

    private static nuint Encode(uint direction, uint number, uint size) =>
        (direction << 30) | (size << 16) | (Type << 8) | number;

    public static readonly nuint GetApiVersion = Encode(None, 0x00, 0);
    public static readonly nuint CreateVm = Encode(None, 0x01, 0);
    public static readonly nuint GetVcpuMmapSize = Encode(None, 0x04, 0);
    public static readonly nuint GetSupportedCpuid = Encode(Write | ReadBack, 0x05, 8);
    public static readonly nuint CreateVcpu = Encode(None, 0x41, 0);
    public static readonly nuint SetUserMemoryRegion = Encode(Write, 0x46, 32);
    public static readonly nuint SetTssAddr = Encode(None, 0x47, 0);
    public static readonly nuint SetIdentityMapAddr = Encode(Write, 0x48, 8);
    public static readonly nuint CreateIrqchip = Encode(None, 0x60, 0);
    public static readonly nuint Irqfd = Encode(Write, 0x76, 32);
    public static readonly nuint Ioeventfd = Encode(Write, 0x79, 64);
    public static readonly nuint Run = Encode(None, 0x80, 0);
    public static readonly nuint GetRegs = Encode(ReadBack, 0x81, 144);
    public static readonly nuint SetRegs = Encode(Write, 0x82, 144);
    public static readonly nuint GetSregs = Encode(ReadBack, 0x83, 312);
    public static readonly nuint SetSregs = Encode(Write, 0x84, 312);
    public static readonly nuint SetCpuid2 = Encode(Write, 0x90, 8);
    public static readonly nuint GetTscKhz = Encode(None, 0xA3, 0);

    /// <summary>The API version every KVM since Linux 2.6.22 reports.</summary>
    public const int ExpectedApiVersion = 12;
}
