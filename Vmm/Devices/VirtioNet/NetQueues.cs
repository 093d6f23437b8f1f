namespace Sdn.Vmm.Devices.VirtioNet;

/// <summary>The queues of a single-pair virtio-net device (virtio 1.2, section 5.1.2).</summary>
internal static class NetQueues
{
    public const int Receive = 0;
    public const int Transmit = 1;
    public const int Count = 2;

    /// <summary>QueueNumMax: the largest ring the driver may set up.</summary>
    public const ushort MaxSize = 1024;
}
