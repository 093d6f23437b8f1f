namespace Sdn.Vmm.Devices.VirtioMmio;

/// <summary>Register offsets of a virtio-mmio version 2 device (virtio 1.2, section 4.2.2).</summary>
internal static class VirtioMmioRegister
{
    public const ulong MagicValue = 0x000;
    public const ulong Version = 0x004;
    public const ulong DeviceId = 0x008;
    public const ulong VendorId = 0x00C;
    public const ulong DeviceFeatures = 0x010;
    public const ulong DeviceFeaturesSel = 0x014;
    public const ulong DriverFeatures = 0x020;
    public const ulong DriverFeaturesSel = 0x024;
    public const ulong QueueSel = 0x030;
    public const ulong QueueNumMax = 0x034;
    public const ulong QueueNum = 0x038;
    public const ulong QueueReady = 0x044;
    public const ulong QueueNotify = 0x050;
    public const ulong InterruptStatus = 0x060;
    public const ulong InterruptAck = 0x064;
    public const ulong Status = 0x070;
    public const ulong QueueDescLow = 0x080;
    public const ulong QueueDescHigh = 0x084;
    public const ulong QueueDriverLow = 0x090;
    public const ulong QueueDriverHigh = 0x094;
    public const ulong QueueDeviceLow = 0x0A0;
    public const ulong QueueDeviceHigh = 0x0A4;
    public const ulong ShmSel = 0x0AC;
    public const ulong ShmLenLow = 0x0B0;
    public const ulong ShmLenHigh = 0x0B4;
    public const ulong ShmBaseLow = 0x0B8;
    public const ulong ShmBaseHigh = 0x0BC;
    public const ulong QueueReset = 0x0C0;
    public const ulong ConfigGeneration = 0x0FC;
    public const ulong Config = 0x100;

    public const uint Magic = 0x7472_6976; // "virt"
    public const uint CurrentVersion = 2;
    public const uint Vendor = 0x4E44_5353; // "SSDN"

    public const uint InterruptUsedBuffer = 1;
    public const uint InterruptConfigChange = 2;
}
