namespace Sdn.Vmm.Devices.VirtioNet;

/// <summary>
/// The counters of one virtio-net device. Every way a frame leaves the data path is counted here.
/// Each counter has one writer thread; readers see a recent value.
/// </summary>
public sealed class NetMetrics
{
    internal long TxFramesField, TxBytesField, RxFramesField, RxBytesField;
    internal long TxOversizeField, TxMalformedField, RxTooSmallField, RxDroppedInactiveField;
    internal long RxRingFullField, TxBackendBusyField, RingViolationsField, WakeupsField, InterruptsField;

    /// <summary>Frames the guest sent that the backend took.</summary>
    public long TxFrames => Volatile.Read(ref TxFramesField);

    public long TxBytes => Volatile.Read(ref TxBytesField);

    /// <summary>Frames written into the guest's RX ring.</summary>
    public long RxFrames => Volatile.Read(ref RxFramesField);

    public long RxBytes => Volatile.Read(ref RxBytesField);

    /// <summary>TX frames dropped because they do not fit a <see cref="Common.Packets.PacketBurst"/> slot.</summary>
    public long TxOversize => Volatile.Read(ref TxOversizeField);

    /// <summary>TX chains dropped because they were shorter than the 12-byte header.</summary>
    public long TxMalformed => Volatile.Read(ref TxMalformedField);

    /// <summary>RX frames dropped because the guest's buffer chain was too small for them.</summary>
    public long RxTooSmall => Volatile.Read(ref RxTooSmallField);

    /// <summary>RX frames dropped because the driver was not up (or the device awaits a reset).</summary>
    public long RxDroppedInactive => Volatile.Read(ref RxDroppedInactiveField);

    /// <summary>Deliveries that found the RX ring without buffers (the frames stayed with the backend).</summary>
    public long RxRingFull => Volatile.Read(ref RxRingFullField);

    /// <summary>Transmits the backend could not take in full (the frames stayed with the device).</summary>
    public long TxBackendBusy => Volatile.Read(ref TxBackendBusyField);

    /// <summary>Ring rule violations by the driver; each put the device into NEEDS_RESET.</summary>
    public long RingViolations => Volatile.Read(ref RingViolationsField);

    /// <summary>Times the device worker slept and was woken (a kick, a peer or a timeout).</summary>
    public long Wakeups => Volatile.Read(ref WakeupsField);

    /// <summary>Used-buffer interrupts raised because the driver asked for them.</summary>
    public long Interrupts => Volatile.Read(ref InterruptsField);

    internal static void Add(ref long counter, long amount) => Volatile.Write(ref counter, counter + amount);
}
