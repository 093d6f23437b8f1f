using System.Buffers.Binary;
using System.Diagnostics;
using Sdn.Common.Packets;
using Sdn.Vmm.Devices.VirtioMmio;
using Sdn.Vmm.Devices.Workers;
using Sdn.Vmm.Interop;

namespace Sdn.Vmm.Devices.VirtioNet;

/// <summary>
/// A virtio-net device with one RX/TX queue pair, served by the process's <see cref="DeviceWorkers"/>.
/// </summary>
/// <remarks>
/// TX: a worker takes chains from the TX ring into a <see cref="PacketBurst"/>, returns them to the guest at
/// once (the bytes are copied) and hands the burst to the backend, retrying what the backend could not take before
/// it reads more. While there is traffic it polls with notifications suppressed; after a spin budget it re-enables
/// them (EVENT_IDX) and the device sleeps on one eventfd, its doorbell, that the guest's QueueNotify writes (an
/// ioeventfd), backend kicks and reset all signal. A busy device gives its worker up after a turn of
/// <see cref="TurnTicks"/>, so that a few workers serve every device fairly.
/// RX: <see cref="DeliverToGuest"/> runs on the backend's thread and writes frames straight into RX buffers.
/// A ring that breaks the rules puts the device into NEEDS_RESET; it then drops RX and ignores TX until reset.
/// </remarks>
public sealed class NetDevice : IVirtioDevice, IServedDevice, IDisposable
{
    private static readonly long SpinTicks = Stopwatch.Frequency / 200_000; // 5 µs without work, then sleep
    private static readonly long TurnTicks = Stopwatch.Frequency / 5_000; // 200 µs of work, then let other devices in

    // struct virtio_net_config: mac[6], status, max_virtqueue_pairs, mtu.
    private const int ConfigSize = 12;
    private const int StatusOffset = 6;
    private const int MaxQueuePairsOffset = 8;
    private const int MtuOffset = 10;
    private const ushort LinkUp = 1;

    private readonly EventFd _notify = new();
    private readonly PacketBurst _txBurst = new();
    private readonly Lock _rxLock = new();
    private readonly byte[] _config = new byte[ConfigSize];
    private readonly IDeviceActivity _activity;
    private SplitQueue? _rx;
    private SplitQueue? _tx;
    private IVirtioInterrupt? _interrupt;
    private INetBackend? _backend;
    private DeviceRegistration? _served;
    private long _idleSince;
    private bool _sentSinceSleep;
    private bool _asleep;
    private volatile bool _active;
    private volatile bool _broken;
    private volatile bool _rxStarved;
    private int _txPending;
    private uint _configGeneration;

    internal NetDevice(byte[] mac, ushort mtu, IDeviceActivity activity)
    {
        if (mac.Length != 6)
        {
            throw new VmmException($"a MAC address has 6 bytes, got {mac.Length} — pass e.g. NicInfo.LocalMac(1)");
        }

        Mac = mac;
        Mtu = mtu;
        _activity = activity;
        mac.CopyTo(_config, 0);
        BinaryPrimitives.WriteUInt16LittleEndian(_config.AsSpan(StatusOffset), LinkUp);
        BinaryPrimitives.WriteUInt16LittleEndian(_config.AsSpan(MaxQueuePairsOffset), 1);
        BinaryPrimitives.WriteUInt16LittleEndian(_config.AsSpan(MtuOffset), mtu);
    }

    public byte[] Mac { get; }

    public ushort Mtu { get; }

    public NetMetrics Metrics { get; } = new();

    /// <summary>True while the driver has the device up and it does not await a reset.</summary>
    public bool IsActive => _active && !_broken;

    uint IVirtioDevice.DeviceType => 1;

    ulong IVirtioDevice.OfferedFeatures => VirtioFeature.Version1 | VirtioFeature.RingEventIdx | NetFeature.Mac | NetFeature.Mtu | NetFeature.Status;

    int IVirtioDevice.QueueCount => NetQueues.Count;

    ushort IVirtioDevice.MaxQueueSize => NetQueues.MaxSize;

    uint IVirtioDevice.ConfigGeneration => Volatile.Read(ref _configGeneration);

    /// <summary>The eventfd bound to QueueNotify of both queues.</summary>
    internal EventFd NotifyEvent => _notify;

    /// <summary>Connects the device to its backend; frames sent before this are dropped.</summary>
    public void Attach(INetBackend backend) => _backend = backend;

    /// <summary>True while the config space reports the link up (the default).</summary>
    public bool IsLinkUp => (BinaryPrimitives.ReadUInt16LittleEndian(_config.AsSpan(StatusOffset)) & LinkUp) != 0;

    /// <summary>Changes the link status in the config space and tells the driver (config generation + config interrupt).</summary>
    public void SetLinkUp(bool up)
    {
        lock (_rxLock)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(_config.AsSpan(StatusOffset), up ? LinkUp : (ushort)0);
            Interlocked.Increment(ref _configGeneration);
        }

        if (_active)
        {
            _interrupt?.SignalConfigChange();
        }

        _activity.GuestHasWork();
    }

    /// <summary>Wakes the worker, e.g. because the backend can take frames again.</summary>
    public void Kick() => _notify.Signal();

    /// <summary>
    /// Writes frames from <paramref name="first"/> on into the guest's RX ring. Returns how many it consumed: delivered,
    /// or dropped and counted when the device is down. Fewer than offered means the ring is out of buffers; the caller
    /// keeps the rest and retries after <see cref="INetBackend.ReceiveSpaceAvailable"/>.
    /// </summary>
    public int DeliverToGuest(PacketBurst burst, int first)
    {
        lock (_rxLock)
        {
            var rx = _rx;
            if (!_active || _broken || rx is null)
            {
                NetMetrics.Add(ref Metrics.RxDroppedInactiveField, burst.Count - first);
                return burst.Count - first;
            }

            var index = first;
            long bytes = 0;
            rx.PrefetchBuffers(burst.Count - first);
            for (; index < burst.Count; index++)
            {
                var result = rx.TryPop(out var head);
                if (result == QueueResult.Empty)
                {
                    _rxStarved = true;
                    NetMetrics.Add(ref Metrics.RxRingFullField, 1);
                    if (rx.EnableNotifications(RefillBatch(rx)))
                    {
                        index--; // buffers arrived while arming: try this frame again
                        continue;
                    }

                    break;
                }

                if (result == QueueResult.Malformed)
                {
                    RingViolation();
                    return burst.Count - first;
                }

                var frame = burst.Frame(index);
                var written = rx.Scatter(head, NetHeader.Receive, frame);
                if (written == -1)
                {
                    RingViolation();
                    return burst.Count - first;
                }

                if (written == -2)
                {
                    NetMetrics.Add(ref Metrics.RxTooSmallField, 1);
                    written = 0;
                }
                else
                {
                    bytes += frame.Length;
                }

                rx.AddUsed(head, (uint)written);
            }

            var delivered = index - first;
            if (delivered > 0)
            {
                NetMetrics.Add(ref Metrics.RxFramesField, delivered);
                NetMetrics.Add(ref Metrics.RxBytesField, bytes);
                Publish(rx);
            }

            return delivered;
        }
    }

    void IVirtioDevice.ReadConfig(ulong offset, Span<byte> data)
    {
        data.Clear();
        if (offset < ConfigSize)
        {
            lock (_rxLock)
            {
                var available = _config.AsSpan((int)offset);
                available[..Math.Min(available.Length, data.Length)].CopyTo(data);
            }
        }
    }

    void IVirtioDevice.Activate(SplitQueue[] queues, ulong negotiatedFeatures, IVirtioInterrupt interrupt)
    {
        lock (_rxLock)
        {
            _rx = queues[NetQueues.Receive];
            _tx = queues[NetQueues.Transmit];
            _interrupt = interrupt;
            _broken = false;
            _rxStarved = false;
            _txPending = 0;
            _txBurst.Clear();
            _idleSince = 0;
            _sentSinceSleep = false;
            _asleep = true;
            _active = true;
        }

        _served = DeviceWorkers.Shared.Add(_notify, this);
    }

    void IVirtioDevice.Reset() => Stop();

    private void Stop()
    {
        _active = false;
        if (_served is { } served)
        {
            DeviceWorkers.Shared.Remove(served);
            _served = null;
        }

        lock (_rxLock)
        {
            _rx = null;
            _tx = null;
        }
    }

    private void RingViolation()
    {
        _broken = true;
        Interlocked.Increment(ref Metrics.RingViolationsField);
        _interrupt?.MarkNeedsReset();
    }

    /// <summary>
    /// Makes the used entries visible. Only when the driver asked for them (used_event, or no NO_INTERRUPT flag) does
    /// it interrupt and wake a parked vCPU: a driver polling with used_event behind costs neither, and one that parks
    /// sleeps until the buffer it named.
    /// </summary>
    private void Publish(SplitQueue queue)
    {
        if (queue.PublishUsed())
        {
            NetMetrics.Add(ref Metrics.InterruptsField, 1);
            _interrupt?.SignalUsedBuffers();
            _activity.GuestHasWork();
        }
    }

    /// <summary>
    /// One turn: polls the TX ring while there is traffic, spins <see cref="SpinTicks"/> without work, then arms the
    /// TX notification and sleeps. A wake-up that finds nothing to send (it only passed on RX space to the backend)
    /// sleeps again without spinning: a spin pays only while the guest is sending.
    /// When the backend cannot take frames it sleeps at once, TX notifications off, until the backend has room (it
    /// kicks us) or a millisecond passes: spinning there would steal the CPU the receiver needs to make room.
    /// </summary>
    ServeOutcome IServedDevice.Serve()
    {
        var tx = _tx;
        if (!_active || tx is null)
        {
            return ServeOutcome.Sleep;
        }

        if (_asleep)
        {
            _asleep = false;
            NetMetrics.Add(ref Metrics.WakeupsField, 1);
            if (!_broken)
            {
                tx.SuppressNotifications();
            }
        }

        var turnEnds = Stopwatch.GetTimestamp() + TurnTicks;
        while (_active)
        {
            if (!_broken)
            {
                ReportReceiveSpace();
                if (ProcessTransmit(tx))
                {
                    _idleSince = 0;
                    _sentSinceSleep = true;
                    if (Stopwatch.GetTimestamp() > turnEnds)
                    {
                        return ServeOutcome.Yield;
                    }

                    continue;
                }

                if (_txPending < _txBurst.Count)
                {
                    return ServeOutcome.RetrySoon;
                }
            }

            var now = Stopwatch.GetTimestamp();
            if (_idleSince == 0)
            {
                _idleSince = now;
            }

            if (_sentSinceSleep && now - _idleSince < SpinTicks)
            {
                Thread.SpinWait(4);
                continue;
            }

            _idleSince = 0;
            if (!_broken && tx.EnableNotifications())
            {
                tx.SuppressNotifications();
                continue;
            }

            break;
        }

        _sentSinceSleep = false;
        _asleep = true;
        return ServeOutcome.Sleep;
    }

    /// <summary>How many RX buffers a starved ring must get back before the backend retries: a quarter of the ring.</summary>
    private static int RefillBatch(SplitQueue rx) => Math.Max(1, rx.Size / 4);

    /// <summary>Tells the backend when a starved RX ring got a batch of buffers again.</summary>
    private void ReportReceiveSpace()
    {
        var rx = _rx;
        if (_rxStarved && rx is not null && rx.HasAvailable(RefillBatch(rx)))
        {
            _rxStarved = false;
            _backend?.ReceiveSpaceAvailable();
        }
    }

    /// <summary>Moves frames from the TX ring to the backend. Returns true when anything moved.</summary>
    private bool ProcessTransmit(SplitQueue tx)
    {
        var progress = false;
        if (_txPending == _txBurst.Count)
        {
            _txBurst.Clear();
            _txPending = 0;
            progress = FillTransmitBurst(tx);
        }

        if (_txPending < _txBurst.Count)
        {
            var backend = _backend;
            var taken = backend is null ? _txBurst.Count - _txPending : backend.Transmit(_txBurst, _txPending);
            if (taken > 0)
            {
                progress = true;
                NetMetrics.Add(ref Metrics.TxFramesField, taken);
                _txPending += taken;
            }

            if (_txPending < _txBurst.Count)
            {
                NetMetrics.Add(ref Metrics.TxBackendBusyField, 1);
            }
        }

        return progress;
    }

    private bool FillTransmitBurst(SplitQueue tx)
    {
        var taken = 0;
        long bytes = 0;
        tx.PrefetchBuffers(PacketBurst.Capacity);
        while (!_txBurst.IsFull)
        {
            var result = tx.TryPop(out var head);
            if (result == QueueResult.Empty)
            {
                break;
            }

            if (result == QueueResult.Malformed)
            {
                RingViolation();
                break;
            }

            var slot = _txBurst.Append(PacketBurst.MaxFrameLength);
            var length = tx.Gather(head, NetHeader.Size, slot);
            if (length == -1)
            {
                _txBurst.DropLast();
                RingViolation();
                break;
            }

            taken++;
            tx.AddUsed(head, 0);
            if (length > PacketBurst.MaxFrameLength || length == 0)
            {
                _txBurst.DropLast();
                NetMetrics.Add(ref (length == 0 ? ref Metrics.TxMalformedField : ref Metrics.TxOversizeField), 1);
                continue;
            }

            _txBurst.TrySetLength(_txBurst.Count - 1, length);
            bytes += length;
        }

        if (taken > 0)
        {
            NetMetrics.Add(ref Metrics.TxBytesField, bytes);
            Publish(tx);
        }

        return taken > 0;
    }

    public void Dispose()
    {
        Stop();
        _notify.Dispose();
    }
}
