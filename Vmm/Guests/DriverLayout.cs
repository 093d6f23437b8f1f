namespace Sdn.Vmm.Guests;

/// <summary>
/// Where the built-in guest driver keeps NIC 0's rings, buffers and variables: offsets from
/// <see cref="Base"/>, which the guest keeps in R15. Queue size 512, one 2 KiB buffer per descriptor.
/// This is the guest's private business; the VMM learns it only through the virtio registers.
/// </summary>
internal static class DriverLayout
{
    public const ulong Base = GuestLayout.FreeMemoryStart;
    public const int QueueSize = 512;
    public const int BufferShift = 11;
    public const int BufferSize = 1 << BufferShift;

    // Each ring gets its own 8 KiB: a 512-entry descriptor table is 8 KiB, a used ring just over 4 KiB.
    public const int RxDescriptors = 0x0000;
    public const int RxAvail = 0x2000;
    public const int RxUsed = 0x4000;
    public const int TxDescriptors = 0x6000;
    public const int TxAvail = 0x8000;
    public const int TxUsed = 0xA000;

    // Driver variables.
    public const int RxAvailIdx = 0xC000;
    public const int RxLastUsed = 0xC002;
    public const int TxAvailIdx = 0xC004;
    public const int TxLastUsed = 0xC006;
    public const int RxCurrentId = 0xC008;
    public const int RxUsedSeen = 0xC00C;
    public const int SpinTicks = 0xC010;
    public const int TicksPerMicrosecond = 0xC018;

    /// <summary>How many received frames a parked RX wait asks to be woken for (u32; 1 after init).</summary>
    public const int RxWakeBatch = 0xC020;

    /// <summary>The spin budget, in TSC ticks, of waits that park for a batch rather than for one frame.</summary>
    public const int BatchSpinTicks = 0xC028;

    // Application variables.
    public const int PeerMac = 0xC100;
    public const int Scratch = 0xC108;
    public const int Counter0 = 0xC110;
    public const int Counter1 = 0xC118;
    public const int Timestamp0 = 0xC120;
    public const int Timestamp1 = 0xC128;
    public const int LineBuffer = 0xC200;

    public const int RxBuffers = 0x1_0000;
    public const int TxBuffers = RxBuffers + QueueSize * BufferSize;

    /// <summary>The ring layout offsets: avail.ring[0], used.ring[0], avail.used_event, used.avail_event.</summary>
    public const int AvailRing = 4;
    public const int UsedRing = 4;
    public const int UsedEvent = 4 + 2 * QueueSize;
    public const int AvailEvent = 4 + 8 * QueueSize;
}
