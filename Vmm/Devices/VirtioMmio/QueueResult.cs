namespace Sdn.Vmm.Devices.VirtioMmio;

/// <summary>The outcome of taking a buffer from a virtqueue.</summary>
internal enum QueueResult
{
    Ok,
    Empty,

    /// <summary>The driver broke the ring's rules; the device must go to NEEDS_RESET.</summary>
    Malformed,
}
