namespace Sdn.Vmm.Devices.VirtioNet;

/// <summary>
/// <c>struct virtio_net_hdr</c> with VERSION_1: flags, gso_type, hdr_len, gso_size, csum_start, csum_offset,
/// num_buffers — 12 bytes in front of every frame on both queues. We offer no offloads, so on RX it is all
/// zero except num_buffers = 1, and on TX we skip it.
/// </summary>
internal static class NetHeader
{
    public const int Size = 12;
    public const int NumBuffersOffset = 10;

    /// <summary>The header the device writes in front of every received frame.</summary>
    public static ReadOnlySpan<byte> Receive => [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0];
}
