using System.Runtime.InteropServices;
using Sdn.Common.Interop;

namespace Sdn.Vmm.Kvm;

/// <summary>A KVM vCPU file descriptor and its shared <c>kvm_run</c> page.</summary>
internal sealed unsafe class KvmVcpu : KvmFd
{
    private readonly int _mmapSize;
    private nint _run;

    public KvmVcpu(int fd, int mmapSize)
        : base(fd)
    {
        _mmapSize = mmapSize;
        _run = LibC.Mmap(0, (nuint)mmapSize, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_SHARED, fd, 0);
        if (_run == LibC.MapFailed)
        {
            var errno = Marshal.GetLastPInvokeError();
            _ = LibC.Close(fd);
            throw new KvmException($"mapping kvm_run failed: {LibC.ErrorText(errno)} — the host is out of memory or mappings (vm.max_map_count)") { Errno = errno };
        }
    }

    /// <summary>
    /// The shared kvm_run page. SAFETY: it stays mapped until <see cref="Dispose(bool)"/>, which only runs after
    /// the vCPU thread has stopped, and KVM writes it only while that thread is inside KVM_RUN.
    /// </summary>
    public KvmRun* Run => (KvmRun*)_run;

    /// <summary>Enters the guest. Returns 0 on an exit, or the errno (EINTR when kicked by a signal).</summary>
    public int Enter()
    {
        var result = LibC.Ioctl(Descriptor, KvmIoctl.Run, 0);
        return result < 0 ? Marshal.GetLastPInvokeError() : 0;
    }

    public KvmRegs GetRegisters()
    {
        var registers = default(KvmRegs);
        Ioctl("KVM_GET_REGS", KvmIoctl.GetRegs, ref registers);
        return registers;
    }

    public void SetRegisters(KvmRegs registers) => Ioctl("KVM_SET_REGS", KvmIoctl.SetRegs, ref registers);

    public KvmSregs GetSpecialRegisters()
    {
        var registers = default(KvmSregs);
        Ioctl("KVM_GET_SREGS", KvmIoctl.GetSregs, ref registers);
        return registers;
    }

    public void SetSpecialRegisters(KvmSregs registers) => Ioctl("KVM_SET_SREGS", KvmIoctl.SetSregs, ref registers);

    public void SetCpuid(ReadOnlySpan<KvmCpuidEntry2> entries)
    {
        var bytes = sizeof(KvmCpuid2Header) + entries.Length * sizeof(KvmCpuidEntry2);
        var buffer = NativeMemory.AllocZeroed((nuint)bytes);
        try
        {
            // SAFETY: the buffer was sized for the header plus every entry copied after it.
            var header = (KvmCpuid2Header*)buffer;
            header->EntryCount = (uint)entries.Length;
            entries.CopyTo(new Span<KvmCpuidEntry2>(header + 1, entries.Length));
            Ioctl("KVM_SET_CPUID2", KvmIoctl.SetCpuid2, (nint)buffer);
        }
        finally
        {
            NativeMemory.Free(buffer);
        }
    }

    /// <summary>The guest TSC frequency in kHz.</summary>
    public long GetTscKhz() => Ioctl("KVM_GET_TSC_KHZ", KvmIoctl.GetTscKhz, 0);

    protected override void Dispose(bool disposing)
    {
        if (_run != 0)
        {
            _ = LibC.Munmap(_run, (nuint)_mmapSize);
            _run = 0;
        }

        base.Dispose(disposing);
    }
}
