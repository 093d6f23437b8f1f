using System.Runtime.InteropServices;

namespace Sdn.Vmm.Kvm;

/// <summary><c>struct kvm_ioeventfd</c>: a guest write to an address signals an eventfd without an exit (64 bytes).</summary>
[StructLayout(LayoutKind.Explicit, Size = 64)]
internal struct KvmIoeventfd
{
    public const uint FlagDataMatch = 1 << 0;

    [FieldOffset(0)] public ulong DataMatch;
    [FieldOffset(8)] public ulong Address;
    [FieldOffset(16)] public uint Length;
    [FieldOffset(20)] public int Fd;
    [FieldOffset(24)] public uint Flags;
}

/// <summary><c>struct kvm_irqfd</c>: signalling an eventfd raises a guest interrupt line (32 bytes).</summary>
[StructLayout(LayoutKind.Explicit, Size = 32)]
internal struct KvmIrqfd
{
    [FieldOffset(0)] public uint Fd;
    [FieldOffset(4)] public uint Gsi;
    [FieldOffset(8)] public uint Flags;
    [FieldOffset(12)] public uint ResampleFd;
}
