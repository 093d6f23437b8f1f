namespace Sdn.Vmm.Devices.VirtioMmio;

/// <summary>
/// What a virtio device type (net, ...) gives the mmio transport: its identity, features, config space, and
/// what to do when the driver brings it up (DRIVER_OK) or resets it.
/// </summary>
internal interface IVirtioDevice
{
    uint DeviceType { get; }

    ulong OfferedFeatures { get; }

    int QueueCount { get; }

    ushort MaxQueueSize { get; }

    /// <summary>Changes whenever the config space changes, so a driver can read it consistently.</summary>
    uint ConfigGeneration { get; }

    void ReadConfig(ulong offset, Span<byte> data);

    /// <summary>Starts processing the queues, which the transport has validated.</summary>
    void Activate(SplitQueue[] queues, ulong negotiatedFeatures, IVirtioInterrupt interrupt);

    /// <summary>Stops processing and forgets the queues; the device must not touch guest memory afterwards.</summary>
    void Reset();
}
