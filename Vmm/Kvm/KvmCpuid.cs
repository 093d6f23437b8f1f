using System.Runtime.InteropServices;

namespace Sdn.Vmm.Kvm;

/// <summary><c>struct kvm_cpuid_entry2</c> (40 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct KvmCpuidEntry2
{
    public uint Function;
    public uint Index;
    public uint Flags;
    public uint Eax, Ebx, Ecx, Edx;
    public uint Padding0, Padding1, Padding2;
}

/// <summary>The header of <c>struct kvm_cpuid2</c>; the entries follow it in the same buffer (8 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct KvmCpuid2Header
{
    public uint EntryCount;
    public uint Padding;
}
