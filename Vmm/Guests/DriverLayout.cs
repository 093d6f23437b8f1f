namespace Sdn.Vmm.Guests;

/// <summary>
/// Where the built-in guest driver keeps NIC 0's rings, buffers and variables: offsets from
/// <see cref="Base"/>, which the guest keeps in R15. Queue size 256, one 2 KiB buffer per descriptor.
/// This is the guest's private business; the VMM learns it only through the virtio registers.
/// </summary>
internal static class DriverLayout
{
    public const ulong Base = GuestLayout.FreeMemoryStart;
    public const int QueueSize = 256;
    public const int BufferShift = 11;
    public const int BufferSize = 1 << BufferShift;

    public const int RxDescriptors = 0x0000;
    public const int RxAvail = 0x1000;
    public const int RxUsed = 0x2000;
    public const int TxDescriptors = 0x3000;
    public const int TxAvail = 0x4000;
    public const int TxUsed = 0x5000;

    // Driver variables.
    public const int RxAvailIdx = 0x6000;
    public const int RxLastUsed = 0x6002;
    public const int TxAvailIdx = 0x6004;
    public const int TxLastUsed = 0x6006;
    public const int RxCurrentId = 0x6008;
    public const int RxUsedSeen = 0x600C;
    public const int SpinTicks = 0x6010;
    public const int TicksPerMicrosecond = 0x6018;

    // Application variables.
    public const int PeerMac = 0x6100;
    public const int Scratch = 0x6108;
    public const int Counter0 = 0x6110;
    public const int Counter1 = 0x6118;
    public const int Timestamp0 = 0x6120;
    public const int Timestamp1 = 0x6128;
    public const int LineBuffer = 0x6200;

    public const int RxBuffers = 0x1_0000;
    public const int TxBuffers = RxBuffers + QueueSize * BufferSize;

    /// <summary>The ring layout offsets: avail.ring[0], used.ring[0], avail.used_event, used.avail_event.</summary>
    public const int AvailRing = 4;
    public const int UsedRing = 4;
    public const int UsedEvent = 4 + 2 * QueueSize;
    public const int AvailEvent = 4 + 8 * QueueSize;
}
