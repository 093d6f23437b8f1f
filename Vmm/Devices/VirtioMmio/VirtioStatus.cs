namespace Sdn.Vmm.Devices.VirtioMmio;

/// <summary>The device status bits the driver and device move through (virtio 1.2, section 2.1).</summary>
[Flags]
public enum VirtioStatus : uint
{
    None = 0,
    Acknowledge = 1,
    Driver = 2,
    DriverOk = 4,
    FeaturesOk = 8,
    NeedsReset = 64,
    Failed = 128,
}
