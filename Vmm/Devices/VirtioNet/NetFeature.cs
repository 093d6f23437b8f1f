namespace Sdn.Vmm.Devices.VirtioNet;

/// <summary>virtio-net feature bits (virtio 1.2, section 5.1.3).</summary>
public static class NetFeature
{
    public const ulong Mtu = 1ul << 3;
    public const ulong Mac = 1ul << 5;
    public const ulong Status = 1ul << 16;
}
