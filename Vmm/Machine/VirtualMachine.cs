using System.Diagnostics;
using Sdn.Common.Interop;
using Sdn.Vmm.Devices;
using Sdn.Vmm.Devices.Hypercall;
using Sdn.Vmm.Devices.Serial;
using Sdn.Vmm.Devices.VirtioMmio;
using Sdn.Vmm.Devices.VirtioNet;
using Sdn.Vmm.Guests;
using Sdn.Vmm.Interop;
using Sdn.Vmm.Kvm;
using Sdn.Vmm.Memory;

namespace Sdn.Vmm.Machine;

/// <summary>
/// One KVM virtual machine with one vCPU: guest RAM, an 8250 serial console, the hypercall port and virtio-net
/// NICs on virtio-mmio. It boots a <see cref="GuestImage"/> straight into 64-bit long mode at CPL3, runs its vCPU
/// on the process's <see cref="VcpuScheduler"/> threads (holding one only while the guest is not parked), and stops
/// it with a <see cref="VmFaultReport"/> when it faults or runs away, without disturbing any other VM of the process.
/// </summary>
public sealed unsafe class VirtualMachine : IDisposable, IDeviceActivity
{
    private const ulong VmxTssAddress = 0xFFFB_D000;
    private const int MaxNics = BootInfo.MaxNics;

    // Where the vCPU is: not booted, parked or paused with no thread (Idle), in the ready queue, on a scheduler
    // thread, or done.
    private const int NotBooted = 0;
    private const int Idle = 1;
    private const int Queued = 2;
    private const int OnThread = 3;
    private const int Finished = 4;

    private readonly KvmVm _kvm;
    private readonly KvmVcpu _vcpu;
    /// <summary>An object rather than a <see cref="Lock"/>: waiting for a state change needs Monitor.Wait and PulseAll on it.</summary>
    private readonly object _gate = new();
    private readonly Lock _kickGate = new();
    private readonly List<GuestReport> _reports = [];
    private readonly List<(NetDevice Device, VirtioMmioTransport Transport, EventFd Irq, NicInfo Info)> _nics = [];
    private readonly VmWatchdog _watchdog;
    private readonly ManualResetEventSlim _finished = new(false);
    private Timer? _parkTimer;
    private bool _booted;
    private nuint _threadHandle;
    private bool _vcpuReleased;
    private volatile bool _stopRequested;
    private volatile bool _pauseRequested;
    private (VmFaultReason Reason, string Detail)? _pendingFault;
    private long _workSequence;
    private long _workSeenByGuest;
    private int _schedule = NotBooted;
    private ulong? _parkTimeoutMicroseconds;
    private bool _returningFromPark;
    private bool _showsPaused;
    private VmState _state = VmState.Created;

    public VirtualMachine(VmOptions options)
    {
        Options = options;
        var system = KvmSystem.Shared;
        VcpuKicker.EnsureInstalled();
        _kvm = system.CreateVm();
        try
        {
            // Memory first: changing memory slots once vCPUs exist waits for an SRCU grace period (milliseconds).
            Memory = new GuestMemory(options.MemoryBytes);
            _kvm.SetUserMemoryRegion(0, 0, Memory.Size, Memory.HostAddress);
            _kvm.SetTssAddress(VmxTssAddress);
            _kvm.CreateIrqchip();
            _vcpu = _kvm.CreateVcpu(0, system.VcpuMmapSize);
            _vcpu.SetCpuid(CpuidPolicy.ForGuest(system.SupportedCpuid));
            TscHz = _vcpu.GetTscKhz() * 1000;
        }
        catch
        {
            Memory?.Dispose();
            _kvm.Dispose();
            _finished.Dispose();
            throw;
        }

        IoPorts.Register(SerialConsole.BasePort, SerialConsole.PortCount, Serial);
        IoPorts.Register(Hypercall.Port, 4, new HypercallPort(OnHypercall));
        _watchdog = new VmWatchdog(this);
    }

    public VmOptions Options { get; }

    public string Name => Options.Name;

    public GuestMemory Memory { get; }

    public SerialConsole Serial { get; } = new();

    public DeviceBus IoPorts { get; } = new();

    public DeviceBus Mmio { get; } = new();

    public VmExitCounters Exits { get; } = new();

    /// <summary>The guest TSC frequency, as given to the guest in its boot info.</summary>
    public long TscHz { get; }

    public VmState State
    {
        get
        {
            lock (_gate)
            {
                return _state;
            }
        }
    }

    /// <summary>Why the VMM stopped the guest, when it did.</summary>
    public VmFaultReport? Fault { get; private set; }

    /// <summary>The code the guest passed to the exit hypercall.</summary>
    public ulong? ExitCode { get; private set; }

    public IReadOnlyList<NetDevice> Nics => _nics.ConvertAll(n => n.Device);

    /// <summary>Each NIC's transport status, for observing NEEDS_RESET.</summary>
    public VirtioStatus NicStatus(int index) => _nics[index].Transport.Status;

    /// <summary>How many times NIC <paramref name="index"/> was put into NEEDS_RESET.</summary>
    public long NicNeedsResetCount(int index) => _nics[index].Transport.NeedsResetCount;

    public IReadOnlyList<GuestReport> Reports
    {
        get
        {
            lock (_gate)
            {
                return [.. _reports];
            }
        }
    }

    /// <summary>Adds a virtio-net NIC at the next virtio-mmio slot, before <see cref="Boot"/>.</summary>
    public NetDevice AddNic(NicInfo info, ushort mtu = 1500)
    {
        if (_nics.Count == MaxNics || State != VmState.Created)
        {
            throw new VmmException($"NICs are added before boot, at most {MaxNics} — add '{Name}''s NICs first");
        }

        var index = _nics.Count;
        var mmioBase = GuestLayout.VirtioMmioBase + (ulong)index * GuestLayout.VirtioMmioStride;
        var device = new NetDevice(info.Mac, mtu, this);
        var irq = new EventFd();
        var transport = new VirtioMmioTransport(device, Memory, irq);
        Mmio.Register(mmioBase, GuestLayout.VirtioMmioStride, transport);
        for (ulong queue = 0; queue < NetQueues.Count; queue++)
        {
            _kvm.AssignIoeventfd(device.NotifyEvent.Descriptor, mmioBase + 0x50, 4, queue);
        }

        _kvm.AssignIrqfd(irq.Descriptor, GuestLayout.VirtioFirstGsi + (uint)index);
        _nics.Add((device, transport, irq, info));
        return device;
    }

    /// <summary>Loads <paramref name="image"/>, writes the boot info and starts the vCPU.</summary>
    public void Boot(GuestImage image, GuestApp app = GuestApp.User, IReadOnlyList<ulong>? parameters = null)
    {
        if (State != VmState.Created || _booted)
        {
            throw new VmmException($"VM '{Name}' was already booted — create a new VM to boot again");
        }

        foreach (var segment in image.Segments)
        {
            if (segment.Address < GuestLayout.LowestImageAddress || !Memory.Contains(segment.Address, (ulong)segment.Bytes.Length + segment.ZeroFill))
            {
                throw new VmmException($"image segment 0x{segment.Address:x}+0x{segment.Bytes.Length + (long)segment.ZeroFill:x} is outside 0x{GuestLayout.LowestImageAddress:x}..0x{Memory.Size:x} — link the image above 0x{GuestLayout.LowestImageAddress:x} or give the VM more memory");
            }

            Memory.Write(segment.Address, segment.Bytes);
            Memory.Slice(segment.Address + (ulong)segment.Bytes.Length, (int)segment.ZeroFill).Clear();
        }

        var freeStart = Math.Max(GuestLayout.FreeMemoryStart, (image.End + 0xFFF) & ~0xFFFul);
        var nics = _nics.Select((n, i) => (n.Info, GuestLayout.VirtioMmioBase + (ulong)i * GuestLayout.VirtioMmioStride, GuestLayout.VirtioFirstGsi + (uint)i, n.Device.Mtu)).ToList();
        BootInfo.Write(Memory, (ulong)TscHz, freeStart, app, parameters ?? [], nics);
        LongModeSetup.WriteTables(Memory);
        LongModeSetup.SetRegisters(_vcpu, image.EntryPoint);

        SetState(VmState.Running);

        // No wait for a thread to reach KVM_RUN: a kick before then leaves immediate_exit set, which its first entry honours.
        _booted = true;
        Volatile.Write(ref _schedule, Queued);
        VcpuScheduler.Shared.Enqueue(this);
        _watchdog.Start();
    }

    /// <summary>Stops the guest between instructions; devices keep running.</summary>
    public void Pause()
    {
        _pauseRequested = true;
        WakeVcpu();
    }

    public void Resume()
    {
        _pauseRequested = false;
        Interlocked.MemoryBarrier(); // the flag before the look at where the vCPU is, as a release looks in the other order
        Wake();
    }

    /// <summary>Stops the guest for good (idempotent).</summary>
    public void Stop()
    {
        _stopRequested = true;
        WakeVcpu();
        if (_booted)
        {
            _finished.Wait();
        }

        _watchdog.Dispose();
        lock (_gate)
        {
            if (_state is VmState.Running or VmState.Paused or VmState.Created)
            {
                _state = VmState.Stopped;
            }

            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds (checked on every report and state change). Returns false on timeout.</summary>
    public bool WaitUntil(Func<VirtualMachine, bool> condition, TimeSpan timeout)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        lock (_gate)
        {
            while (!condition(this))
            {
                var left = deadline - Stopwatch.GetTimestamp();
                if (left <= 0)
                {
                    return false;
                }

                Monitor.Wait(_gate, TimeSpan.FromSeconds(Math.Min((double)left / Stopwatch.Frequency, 0.05)));
            }

            return true;
        }
    }

    /// <summary>Waits until the guest exited, faulted or was stopped.</summary>
    public bool WaitForExit(TimeSpan timeout) => WaitUntil(vm => vm.State is VmState.Exited or VmState.Faulted or VmState.Stopped, timeout);

    /// <summary>The last value reported under <paramref name="key"/>, if any.</summary>
    public ulong? LastReport(ReportKey key)
    {
        lock (_gate)
        {
            for (var i = _reports.Count - 1; i >= 0; i--)
            {
                if (_reports[i].Key == key)
                {
                    return _reports[i].Value;
                }
            }

            return null;
        }
    }

    void IDeviceActivity.GuestHasWork() => WakeForGuest();

    /// <summary>
    /// Counts an event the guest asked to be woken for (device work, or its park's timeout) and makes a parked vCPU
    /// ready. The increment is a full fence before the look at where the vCPU is, as a release's exchange is before
    /// its look at the count: one of the two sees the other, so the wake-up is never lost.
    /// </summary>
    private void WakeForGuest()
    {
        Interlocked.Increment(ref _workSequence);
        if (Volatile.Read(ref _schedule) == Idle)
        {
            Wake();
        }
    }

    /// <summary>Exits, wake-ups and frames moved: the watchdog's measure of progress.</summary>
    internal long Progress
    {
        get
        {
            var progress = Exits.Total + Interlocked.Read(ref _workSequence);
            foreach (var nic in _nics)
            {
                progress += nic.Device.Metrics.TxFrames + nic.Device.Metrics.RxFrames;
            }

            return progress;
        }
    }

    /// <summary>The scheduler's thread that ran the vCPU last, which it goes back to when that one is idle.</summary>
    internal VcpuScheduler.Worker? LastWorker { get; set; }

    /// <summary>Whether the vCPU holds no thread and waits for no thread: parked by the guest, or paused.</summary>
    internal bool IsParked => Volatile.Read(ref _schedule) == Idle;

    /// <summary>Makes the vCPU thread stop the guest with a fault report.</summary>
    internal void RequestFault(VmFaultReason reason, string detail)
    {
        lock (_gate)
        {
            if (_state != VmState.Running || _pendingFault is not null)
            {
                return;
            }

            _pendingFault = (reason, detail);
        }

        WakeVcpu();
    }

    /// <summary>
    /// Gets the vCPU out of the guest and out of a park, to look at the stop, pause and fault requests. A kick alone
    /// could land between a release's check of the flags and its giving the thread back, and be lost: the vCPU would
    /// then stay parked forever. So the vCPU is also made ready: the release looks at the flags again after it
    /// marked itself idle, and a wake-up that sees it idle queues it.
    /// </summary>
    private void WakeVcpu()
    {
        Interlocked.MemoryBarrier(); // the caller's flag before the look at where the vCPU is
        Wake();
        KickVcpu();
    }

    /// <summary>Queues an idle vCPU on the scheduler; does nothing when it is queued, on a thread or done.</summary>
    private void Wake()
    {
        if (Interlocked.CompareExchange(ref _schedule, Queued, Idle) == Idle)
        {
            VcpuScheduler.Shared.Enqueue(this);
        }
    }

    private void KickVcpu()
    {
        // The handle is cleared under the same lock before the thread ends: pthread_kill on a finished thread is undefined.
        lock (_kickGate)
        {
            if (!_vcpuReleased)
            {
                VcpuKicker.Kick(_vcpu.Run, _threadHandle);
            }
        }
    }

    /// <summary>
    /// Runs the guest on the calling scheduler thread until it parks, is paused, or ends; then gives the thread back.
    /// One thread at a time: the VM is queued once per wake-up and marks itself idle only once it is done here.
    /// </summary>
    internal void RunSlice()
    {
        Volatile.Write(ref _schedule, OnThread);
        lock (_kickGate)
        {
            _threadHandle = LibC.PthreadSelf();
        }

        var release = SliceEnd.Parked;
        do
        {
            if (_returningFromPark)
            {
                // The guest comes back from its idle call and looks at its rings: what came before now is seen.
                _returningFromPark = false;
                _workSeenByGuest = Interlocked.Read(ref _workSequence);
            }

            release = RunUntilReleased();
        }
        while (release != SliceEnd.Finished && !GivesThreadBack(release));

        lock (_kickGate)
        {
            _threadHandle = 0;
        }

        if (release == SliceEnd.Finished)
        {
            Volatile.Write(ref _schedule, Finished);
            _parkTimer?.Dispose();
            _finished.Set();
        }
    }

    /// <summary>
    /// Marks the vCPU idle, then looks again at what would wake it: a wake-up that came meanwhile either saw it idle
    /// and queued it (the thread is given back, and the scheduler hands the VM to it again), or is seen here, and the
    /// vCPU takes itself back and runs on, on this thread.
    /// </summary>
    private bool GivesThreadBack(SliceEnd release)
    {
        _returningFromPark = release == SliceEnd.Parked;
        Interlocked.Exchange(ref _schedule, Idle);
        var wake = release == SliceEnd.Parked
            ? Interlocked.Read(ref _workSequence) != _workSeenByGuest || _stopRequested || _pauseRequested || _pendingFault is not null
            : !_pauseRequested || _stopRequested;
        return !wake || Interlocked.CompareExchange(ref _schedule, OnThread, Idle) != Idle;
    }

    private SliceEnd RunUntilReleased()
    {
        // SAFETY: the kvm_run page stays mapped until Dispose, which waits for the run to finish first.
        var run = _vcpu.Run;
        while (true)
        {
            if (_stopRequested)
            {
                return SliceEnd.Finished;
            }

            if (_pauseRequested)
            {
                SetState(VmState.Paused);
                _showsPaused = true;
                return SliceEnd.Paused;
            }

            if (_showsPaused)
            {
                _showsPaused = false;
                SetState(VmState.Running);
            }

            var errno = _vcpu.Enter();
            if (errno != 0)
            {
                Volatile.Write(ref run->ImmediateExit, 0);
                if (_pendingFault is { } requested)
                {
                    Stopped(requested);
                    return SliceEnd.Finished;
                }

                if (errno is LibC.EINTR or LibC.EAGAIN)
                {
                    continue;
                }

                Stopped((VmFaultReason.InternalError, $"KVM_RUN failed: {LibC.ErrorText(errno)} (errno {errno})"));
                return SliceEnd.Finished;
            }

            Exits.Count(run->ExitReason);
            if (!HandleExit(run) || ExitCode is not null)
            {
                return SliceEnd.Finished;
            }

            if (_parkTimeoutMicroseconds is { } timeout)
            {
                _parkTimeoutMicroseconds = null;
                if (Parks(timeout))
                {
                    return SliceEnd.Parked;
                }
            }
        }
    }

    private bool HandleExit(KvmRun* run)
    {
        switch ((KvmExitReason)run->ExitReason)
        {
            case KvmExitReason.Io:
                var io = run->Io;
                var data = (byte*)run + io.DataOffset;
                for (var i = 0u; i < io.Count; i++)
                {
                    // SAFETY: KVM placed Count elements of Size bytes at DataOffset inside the kvm_run mapping.
                    var element = new Span<byte>(data + i * io.Size, io.Size);
                    if (io.Direction == KvmRunIo.DirectionOut)
                    {
                        IoPorts.Write(io.Port, element);
                    }
                    else
                    {
                        IoPorts.Read(io.Port, element);
                    }
                }

                return true;
            case KvmExitReason.Mmio:
                // SAFETY: Data is the 8-byte buffer inside kvm_run and KVM never reports a longer access.
                var mmio = new Span<byte>(run->Mmio.Data, (int)Math.Min(run->Mmio.Length, 8u));
                if (run->Mmio.IsWrite != 0)
                {
                    Mmio.Write(run->Mmio.PhysicalAddress, mmio);
                }
                else
                {
                    Mmio.Read(run->Mmio.PhysicalAddress, mmio);
                }

                return true;
            case KvmExitReason.Shutdown:
                Stopped((VmFaultReason.TripleFault, "the guest triple-faulted (an exception at CPL3 with no IDT to deliver it): look at the instruction at RIP"));
                return false;
            case KvmExitReason.InternalError:
                Stopped((VmFaultReason.InternalError, $"KVM could not emulate or deliver an event (suberror {run->Internal.Suberror})"));
                return false;
            case KvmExitReason.FailEntry:
                Stopped((VmFaultReason.FailEntry, $"the CPU refused to enter the guest (hardware reason 0x{run->FailEntryHardwareReason:x})"));
                return false;
            default:
                Stopped((VmFaultReason.UnexpectedExit, $"exit {(KvmExitReason)run->ExitReason} is not served by this VMM"));
                return false;
        }
    }

    private void OnHypercall(uint function)
    {
        var registers = _vcpu.GetRegisters();
        switch (function)
        {
            case Hypercall.Exit:
                lock (_gate)
                {
                    ExitCode = registers.Rdi;
                    _state = VmState.Exited;
                    Monitor.PulseAll(_gate);
                }

                break;
            case Hypercall.Report:
                lock (_gate)
                {
                    _reports.Add(new GuestReport((ReportKey)registers.Rdi, registers.Rsi, Stopwatch.GetTimestamp()));
                    Monitor.PulseAll(_gate);
                }

                break;
            case Hypercall.Idle:
                _parkTimeoutMicroseconds = registers.Rdi; // acted on once the exit is complete
                break;
            default:
                break;
        }
    }

    /// <summary>
    /// Whether the guest's idle call parks the vCPU: it does unless work arrived since the guest last came back from a
    /// park (the guest may not have seen it), so that a wake-up is never lost. A park with a timeout arms the VM's
    /// timer, which counts as an event; one left from an earlier park only makes an idle call return early.
    /// </summary>
    private bool Parks(ulong timeoutMicroseconds)
    {
        var seen = Interlocked.Read(ref _workSequence);
        if (seen != _workSeenByGuest)
        {
            _workSeenByGuest = seen;
            return false;
        }

        if (_stopRequested || _pauseRequested || _pendingFault is not null)
        {
            return false;
        }

        Exits.CountPark();
        if (timeoutMicroseconds != 0)
        {
            var milliseconds = (long)Math.Min((timeoutMicroseconds + 999) / 1000, int.MaxValue);
            _parkTimer ??= new Timer(static vm => ((VirtualMachine)vm!).WakeForGuest(), this, Timeout.Infinite, Timeout.Infinite);
            _parkTimer.Change(milliseconds, Timeout.Infinite);
        }

        return true;
    }

    private void Stopped((VmFaultReason Reason, string Detail) fault)
    {
        var registers = _vcpu.GetRegisters();
        var special = _vcpu.GetSpecialRegisters();
        var report = new VmFaultReport(fault.Reason, fault.Detail, registers, special.Cr0, special.Cr3, special.Cr4, special.Efer, FaultDisassembler.Around(Memory, registers.Rip));
        lock (_gate)
        {
            Fault = report;
            _state = VmState.Faulted;
            Monitor.PulseAll(_gate);
        }
    }

    private void SetState(VmState state)
    {
        lock (_gate)
        {
            _state = state;
            Monitor.PulseAll(_gate);
        }
    }

    public void Dispose()
    {
        Stop();
        foreach (var (device, _, irq, _) in _nics)
        {
            device.Dispose();
            irq.Dispose();
        }

        lock (_kickGate)
        {
            _vcpuReleased = true; // its run page goes with it
        }

        _vcpu.Dispose();
        _kvm.Dispose();
        Memory.Dispose();
        _finished.Dispose();
    }

    /// <summary>Why a slice of the vCPU on a scheduler thread ended.</summary>
    private enum SliceEnd
    {
        Parked,
        Paused,
        Finished,
    }
}
