using System.Runtime.InteropServices;

namespace Sdn.Vmm.Kvm;

/// <summary><c>struct kvm_userspace_memory_region</c>: one slot of guest-physical memory backed by our mapping (32 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct KvmUserspaceMemoryRegion
{
    public uint Slot;
    public uint Flags;
    public ulong GuestPhysicalAddress;
    public ulong MemorySize;
    public ulong UserspaceAddress;
}
