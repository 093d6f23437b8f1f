namespace Sdn.Vmm.Devices.VirtioMmio;

/// <summary>Transport-level feature bits every virtio device here offers (virtio 1.2, section 6).</summary>
public static class VirtioFeature
{
    public const ulong RingEventIdx = 1ul << 29;
    public const ulong Version1 = 1ul << 32;
}
