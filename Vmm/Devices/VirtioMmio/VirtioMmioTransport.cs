using System.Buffers.Binary;
using Sdn.Vmm.Interop;
using Sdn.Vmm.Memory;

namespace Sdn.Vmm.Devices.VirtioMmio;

/// <summary>
/// A virtio-mmio version 2 transport (virtio 1.2, section 4.2): the register file in front of one virtio device,
/// feature negotiation, the status state machine, queue setup, reset, config generation and interrupt status.
/// Register accesses come from the vCPU thread (MMIO exits, during driver init); QueueNotify writes never get
/// here because they end in an ioeventfd the device waits on.
/// </summary>
internal sealed class VirtioMmioTransport : IBusDevice, IVirtioInterrupt
{
    private readonly IVirtioDevice _device;
    private readonly GuestMemory _memory;
    private readonly EventFd _irq;
    private readonly SplitQueue[] _queues;
    private uint _deviceFeaturesSel;
    private uint _driverFeaturesSel;
    private ulong _driverFeatures;
    private uint _queueSel;
    private uint _status;
    private uint _interruptStatus;
    private long _rejectedFeatureSets;
    private long _rejectedQueueSetups;
    private long _needsResets;

    public VirtioMmioTransport(IVirtioDevice device, GuestMemory memory, EventFd irq)
    {
        _device = device;
        _memory = memory;
        _irq = irq;
        _queues = new SplitQueue[device.QueueCount];
        for (var i = 0; i < _queues.Length; i++)
        {
            _queues[i] = new SplitQueue(device.MaxQueueSize);
        }
    }

    public VirtioStatus Status => (VirtioStatus)Volatile.Read(ref _status);

    /// <summary>Times the device went to NEEDS_RESET because the driver broke a ring.</summary>
    public long NeedsResetCount => Interlocked.Read(ref _needsResets);

    /// <summary>FEATURES_OK writes refused (unknown features, or no VERSION_1).</summary>
    public long RejectedFeatureSets => Interlocked.Read(ref _rejectedFeatureSets);

    /// <summary>DRIVER_OK writes refused because a queue's layout was invalid.</summary>
    public long RejectedQueueSetups => Interlocked.Read(ref _rejectedQueueSetups);

    public void Read(ulong offset, Span<byte> data)
    {
        if (offset >= VirtioMmioRegister.Config)
        {
            _device.ReadConfig(offset - VirtioMmioRegister.Config, data);
            return;
        }

        data.Clear();
        if (data.Length != 4 || offset % 4 != 0)
        {
            return;
        }

        BinaryPrimitives.WriteUInt32LittleEndian(data, ReadRegister(offset));
    }

    public void Write(ulong offset, ReadOnlySpan<byte> data)
    {
        if (offset >= VirtioMmioRegister.Config || data.Length != 4 || offset % 4 != 0)
        {
            return; // config space is read-only for virtio-net; other widths are undefined
        }

        WriteRegister(offset, BinaryPrimitives.ReadUInt32LittleEndian(data));
    }

    public void SignalUsedBuffers()
    {
        Interlocked.Or(ref _interruptStatus, VirtioMmioRegister.InterruptUsedBuffer);
        _irq.Signal();
    }

    public void SignalConfigChange()
    {
        Interlocked.Or(ref _interruptStatus, VirtioMmioRegister.InterruptConfigChange);
        _irq.Signal();
    }

    public void MarkNeedsReset()
    {
        if ((Interlocked.Or(ref _status, (uint)VirtioStatus.NeedsReset) & (uint)VirtioStatus.NeedsReset) == 0)
        {
            Interlocked.Increment(ref _needsResets);
        }

        SignalConfigChange();
    }

    private SplitQueue? SelectedQueue => _queueSel < _queues.Length ? _queues[_queueSel] : null;

    private uint ReadRegister(ulong offset) => offset switch
    {
        VirtioMmioRegister.MagicValue => VirtioMmioRegister.Magic,
        VirtioMmioRegister.Version => VirtioMmioRegister.CurrentVersion,
        VirtioMmioRegister.DeviceId => _device.DeviceType,
        VirtioMmioRegister.VendorId => VirtioMmioRegister.Vendor,
        VirtioMmioRegister.DeviceFeatures => _deviceFeaturesSel < 2 ? (uint)(_device.OfferedFeatures >> (int)(32 * _deviceFeaturesSel)) : 0,
        VirtioMmioRegister.QueueNumMax => SelectedQueue?.MaxSize ?? 0,
        VirtioMmioRegister.QueueReady => SelectedQueue?.Ready == true ? 1u : 0,
        VirtioMmioRegister.QueueReset => 0,
        VirtioMmioRegister.InterruptStatus => Volatile.Read(ref _interruptStatus),
        VirtioMmioRegister.Status => Volatile.Read(ref _status),
        VirtioMmioRegister.ShmLenLow or VirtioMmioRegister.ShmLenHigh or VirtioMmioRegister.ShmBaseLow or VirtioMmioRegister.ShmBaseHigh => uint.MaxValue, // no shared memory regions
        VirtioMmioRegister.ConfigGeneration => _device.ConfigGeneration,
        _ => 0,
    };

    private void WriteRegister(ulong offset, uint value)
    {
        var queue = SelectedQueue;
        var queueWritable = queue is not null && !queue.Ready && (Status & VirtioStatus.DriverOk) == 0;
        switch (offset)
        {
            case VirtioMmioRegister.DeviceFeaturesSel:
                _deviceFeaturesSel = value;
                break;
            case VirtioMmioRegister.DriverFeaturesSel:
                _driverFeaturesSel = value;
                break;
            case VirtioMmioRegister.DriverFeatures when _driverFeaturesSel < 2 && (Status & VirtioStatus.FeaturesOk) == 0:
                var shift = (int)(32 * _driverFeaturesSel);
                _driverFeatures = (_driverFeatures & ~(0xFFFF_FFFFul << shift)) | ((ulong)value << shift);
                break;
            case VirtioMmioRegister.QueueSel:
                _queueSel = value;
                break;
            case VirtioMmioRegister.QueueNum when queueWritable:
                queue!.Size = (ushort)Math.Min(value, ushort.MaxValue);
                break;
            case VirtioMmioRegister.QueueReady when queue is not null:
                queue.Ready = value == 1;
                break;
            case VirtioMmioRegister.QueueDescLow when queueWritable:
                queue!.DescriptorTableAddress = WithLow(queue.DescriptorTableAddress, value);
                break;
            case VirtioMmioRegister.QueueDescHigh when queueWritable:
                queue!.DescriptorTableAddress = WithHigh(queue.DescriptorTableAddress, value);
                break;
            case VirtioMmioRegister.QueueDriverLow when queueWritable:
                queue!.AvailRingAddress = WithLow(queue.AvailRingAddress, value);
                break;
            case VirtioMmioRegister.QueueDriverHigh when queueWritable:
                queue!.AvailRingAddress = WithHigh(queue.AvailRingAddress, value);
                break;
            case VirtioMmioRegister.QueueDeviceLow when queueWritable:
                queue!.UsedRingAddress = WithLow(queue.UsedRingAddress, value);
                break;
            case VirtioMmioRegister.QueueDeviceHigh when queueWritable:
                queue!.UsedRingAddress = WithHigh(queue.UsedRingAddress, value);
                break;
            case VirtioMmioRegister.InterruptAck:
                Interlocked.And(ref _interruptStatus, ~value);
                break;
            case VirtioMmioRegister.Status:
                WriteStatus(value);
                break;
            default:
                break; // read-only and unknown registers, and QueueReset (VIRTIO_F_RING_RESET is not offered), ignore writes
        }
    }

    private void WriteStatus(uint value)
    {
        if (value == 0)
        {
            ResetDevice();
            return;
        }

        var current = Status;
        var requested = (VirtioStatus)value;
        if ((requested & VirtioStatus.FeaturesOk) != 0 && (current & VirtioStatus.FeaturesOk) == 0 && !FeaturesAcceptable())
        {
            Interlocked.Increment(ref _rejectedFeatureSets);
            requested &= ~VirtioStatus.FeaturesOk;
        }

        if ((requested & VirtioStatus.DriverOk) != 0 && (current & VirtioStatus.DriverOk) == 0)
        {
            if ((requested & VirtioStatus.FeaturesOk) == 0 || !ActivateQueues())
            {
                Interlocked.Increment(ref _rejectedQueueSetups);
                Interlocked.Or(ref _status, (uint)(requested & ~VirtioStatus.DriverOk));
                MarkNeedsReset();
                return;
            }
        }

        // The driver may only add bits; only a reset clears them.
        Interlocked.Or(ref _status, (uint)requested);
    }

    private bool FeaturesAcceptable() =>
        (_driverFeatures & ~_device.OfferedFeatures) == 0 && (_driverFeatures & VirtioFeature.Version1) != 0;

    private bool ActivateQueues()
    {
        var eventIdx = (_driverFeatures & VirtioFeature.RingEventIdx) != 0;
        foreach (var queue in _queues)
        {
            if (!queue.Activate(_memory, eventIdx))
            {
                return false;
            }
        }

        _device.Activate(_queues, _driverFeatures, this);
        return true;
    }

    private void ResetDevice()
    {
        _device.Reset();
        foreach (var queue in _queues)
        {
            queue.Reset();
        }

        _deviceFeaturesSel = _driverFeaturesSel = _queueSel = 0;
        _driverFeatures = 0;
        Volatile.Write(ref _interruptStatus, 0);
        Volatile.Write(ref _status, 0);
    }

    private static ulong WithLow(ulong current, uint low) => (current & 0xFFFF_FFFF_0000_0000) | low;

    private static ulong WithHigh(ulong current, uint high) => (current & 0xFFFF_FFFF) | ((ulong)high << 32);
}
