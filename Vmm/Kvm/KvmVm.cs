namespace Sdn.Vmm.Kvm;

/// <summary>A KVM VM file descriptor: memory slots, the TSS, the irqchip, ioeventfds, irqfds and vCPUs.</summary>
internal sealed class KvmVm : KvmFd
{
    public KvmVm(int fd)
        : base(fd)
    {
    }

    public void SetUserMemoryRegion(uint slot, ulong guestPhysicalAddress, ulong size, nint hostAddress)
    {
        var region = new KvmUserspaceMemoryRegion
        {
            Slot = slot,
            GuestPhysicalAddress = guestPhysicalAddress,
            MemorySize = size,
            UserspaceAddress = (ulong)hostAddress,
        };
        Ioctl("KVM_SET_USER_MEMORY_REGION", KvmIoctl.SetUserMemoryRegion, ref region);
    }

    /// <summary>Places the three pages Intel VMX needs for real-mode emulation; they must lie outside guest RAM.</summary>
    public void SetTssAddress(ulong address)
    {
        Ioctl("KVM_SET_TSS_ADDR", KvmIoctl.SetTssAddr, (nint)address);
        var identityMap = address + 0x3000;
        Ioctl("KVM_SET_IDENTITY_MAP_ADDR", KvmIoctl.SetIdentityMapAddr, ref identityMap);
    }

    public void CreateIrqchip() => Ioctl("KVM_CREATE_IRQCHIP", KvmIoctl.CreateIrqchip, 0);

    /// <summary>Makes a guest write of <paramref name="length"/> bytes holding <paramref name="value"/> at <paramref name="address"/> signal <paramref name="eventFd"/>.</summary>
    public void AssignIoeventfd(int eventFd, ulong address, uint length, ulong value)
    {
        var binding = new KvmIoeventfd
        {
            Address = address,
            Length = length,
            DataMatch = value,
            Fd = eventFd,
            Flags = KvmIoeventfd.FlagDataMatch,
        };
        Ioctl("KVM_IOEVENTFD", KvmIoctl.Ioeventfd, ref binding);
    }

    /// <summary>Makes a signal on <paramref name="eventFd"/> raise interrupt line <paramref name="gsi"/>.</summary>
    public void AssignIrqfd(int eventFd, uint gsi)
    {
        var binding = new KvmIrqfd { Fd = (uint)eventFd, Gsi = gsi };
        Ioctl("KVM_IRQFD", KvmIoctl.Irqfd, ref binding);
    }

    public KvmVcpu CreateVcpu(int id, int mmapSize) => new(Ioctl("KVM_CREATE_VCPU", KvmIoctl.CreateVcpu, id), mmapSize);
}
