using System.Runtime.InteropServices;
using Sdn.Common.Interop;

namespace Sdn.Vmm.Kvm;

/// <summary>
/// The open <c>/dev/kvm</c>: checks the API version and hands out VMs, the vCPU mmap size and the supported CPUID.
/// One instance serves every VM of the process.
/// </summary>
internal sealed class KvmSystem : KvmFd
{
    public const string DevicePath = "/dev/kvm";

    private static readonly Lazy<KvmSystem> SharedInstance = new(() => Open(DevicePath));

    private KvmSystem(int fd)
        : base(fd)
    {
        var version = Ioctl("KVM_GET_API_VERSION", KvmIoctl.GetApiVersion, 0);
        if (version != KvmIoctl.ExpectedApiVersion)
        {
            throw new KvmException($"{DevicePath} speaks KVM API {version}, expected {KvmIoctl.ExpectedApiVersion} — use a Linux kernel from the last 15 years");
        }

        VcpuMmapSize = Ioctl("KVM_GET_VCPU_MMAP_SIZE", KvmIoctl.GetVcpuMmapSize, 0);
        SupportedCpuid = ReadSupportedCpuid();
    }

    /// <summary>The process-wide KVM handle, opened on first use.</summary>
    public static KvmSystem Shared => SharedInstance.Value;

    public int VcpuMmapSize { get; }

    public IReadOnlyList<KvmCpuidEntry2> SupportedCpuid { get; }

    /// <summary>Opens <paramref name="path"/>; a failure is one line that says what to do.</summary>
    public static KvmSystem Open(string path)
    {
        var fd = LibC.Open(path, LibC.O_RDWR | LibC.O_CLOEXEC);
        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new KvmException(DescribeOpenFailure(path, errno)) { Errno = errno };
        }

        return new KvmSystem(fd);
    }

    /// <summary>The one-line explanation of why <paramref name="path"/> could not be opened, and the fix.</summary>
    public static string DescribeOpenFailure(string path, int errno) => errno switch
    {
        2 => $"cannot open {path}: {LibC.ErrorText(errno)} — load the kvm module (modprobe kvm_intel or kvm_amd), enable virtualization in the BIOS, or on a VM enable nested virtualization",
        13 or 1 => $"cannot open {path}: {LibC.ErrorText(errno)} — add your user to the kvm group (sudo usermod -aG kvm $USER, then log in again) or run as root",
        _ => $"cannot open {path}: {LibC.ErrorText(errno)} — check that KVM is loaded and usable (ls -l {path}; dmesg | grep -i kvm)",
    };

    public KvmVm CreateVm() => new(Ioctl("KVM_CREATE_VM", KvmIoctl.CreateVm, 0));

    private unsafe KvmCpuidEntry2[] ReadSupportedCpuid()
    {
        const int MaxEntries = 256;
        var bytes = sizeof(KvmCpuid2Header) + MaxEntries * sizeof(KvmCpuidEntry2);
        var buffer = NativeMemory.AllocZeroed((nuint)bytes);
        try
        {
            // SAFETY: the buffer holds the header and MaxEntries entries, as the header's count tells KVM.
            var header = (KvmCpuid2Header*)buffer;
            header->EntryCount = MaxEntries;
            Ioctl("KVM_GET_SUPPORTED_CPUID", KvmIoctl.GetSupportedCpuid, (nint)buffer);
            return new ReadOnlySpan<KvmCpuidEntry2>(header + 1, (int)header->EntryCount).ToArray();
        }
        finally
        {
            NativeMemory.Free(buffer);
        }
    }
}
