using System.Runtime.InteropServices;

namespace Sdn.Vmm.Kvm;

/// <summary>
/// The head of <c>struct kvm_run</c>, the page KVM shares with each vCPU thread, up to and including the
/// exit union members the VMM reads. Offsets follow linux/kvm.h.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 304)]
internal struct KvmRun
{
    [FieldOffset(0)] public byte RequestInterruptWindow;
    [FieldOffset(1)] public byte ImmediateExit;
    [FieldOffset(8)] public uint ExitReason;
    [FieldOffset(32)] public KvmRunIo Io;
    [FieldOffset(32)] public KvmRunMmio Mmio;
    [FieldOffset(32)] public ulong FailEntryHardwareReason;
    [FieldOffset(32)] public KvmRunInternal Internal;
}

/// <summary>The <c>io</c> member of the kvm_run exit union.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct KvmRunIo
{
    public const byte DirectionIn = 0;
    public const byte DirectionOut = 1;

    public byte Direction;
    public byte Size;
    public ushort Port;
    public uint Count;
    /// <summary>Where the data lives, relative to the start of kvm_run.</summary>
    public ulong DataOffset;
}

/// <summary>The <c>mmio</c> member of the kvm_run exit union.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct KvmRunMmio
{
    public ulong PhysicalAddress;
    public fixed byte Data[8];
    public uint Length;
    public byte IsWrite;
}

/// <summary>The <c>internal</c> member of the kvm_run exit union.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct KvmRunInternal
{
    public uint Suberror;
    public uint DataCount;
    public fixed ulong Data[16];
}
