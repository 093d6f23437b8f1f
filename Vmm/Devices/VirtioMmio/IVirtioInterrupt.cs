namespace Sdn.Vmm.Devices.VirtioMmio;

/// <summary>How a device tells the driver about used buffers, and gives up on a broken driver.</summary>
internal interface IVirtioInterrupt
{
    /// <summary>Sets the used-buffer interrupt status bit and raises the device's irqfd.</summary>
    void SignalUsedBuffers();

    /// <summary>Sets the config-change interrupt status bit and raises the device's irqfd.</summary>
    void SignalConfigChange();

    /// <summary>Sets DEVICE_NEEDS_RESET and raises a config-change interrupt (virtio 1.2, section 2.1.2).</summary>
    void MarkNeedsReset();
}
