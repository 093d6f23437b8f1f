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
/// NICs on virtio-mmio. It boots a <see cref="GuestImage"/> straight into 64-bit long mode at CPL3, runs it on its
/// own vCPU thread, and stops it with a <see cref="VmFaultReport"/> when it faults or runs away, without
/// disturbing any other VM of the process.
/// </summary>
public sealed unsafe class VirtualMachine : IDisposable, IDeviceActivity
{
    private const ulong VmxTssAddress = 0xFFFB_D000;
    private const int MaxNics = BootInfo.MaxNics;

    private readonly KvmVm _kvm;
    private readonly KvmVcpu _vcpu;
    private readonly EventFd _wake = new();
    /// <summary>An object rather than a <see cref="Lock"/>: waiting for a state change needs Monitor.Wait and PulseAll on it.</summary>
    private readonly object _gate = new();
    private readonly Lock _kickGate = new();
    private readonly List<GuestReport> _reports = [];
    private readonly List<(NetDevice Device, VirtioMmioTransport Transport, EventFd Irq, NicInfo Info)> _nics = [];
    private readonly VmWatchdog _watchdog;
    private Thread? _thread;
    private nuint _threadHandle;
    private bool _vcpuReleased;
    private volatile bool _stopRequested;
    private volatile bool _pauseRequested;
    private (VmFaultReason Reason, string Detail)? _pendingFault;
    private readonly ManualResetEventSlim _resume = new(true);
    private long _workSequence;
    private long _workSeenByGuest;
    private int _parked;
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
            _wake.Dispose();
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
        if (State != VmState.Created || _thread is not null)
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

        // No wait for the thread to reach KVM_RUN: a kick before then leaves immediate_exit set, which its first entry honours.
        _thread = new Thread(RunVcpu, maxStackSize: 256 * 1024) { IsBackground = true, Name = $"vcpu {Name}" };
        _thread.Start();
        _watchdog.Start();
    }

    /// <summary>Stops the guest between instructions; devices keep running.</summary>
    public void Pause()
    {
        _resume.Reset();
        _pauseRequested = true;
        WakeVcpu();
    }

    public void Resume()
    {
        _pauseRequested = false;
        _resume.Set();
    }

    /// <summary>Stops the guest for good (idempotent).</summary>
    public void Stop()
    {
        _stopRequested = true;
        _resume.Set();
        WakeVcpu();
        _thread?.Join();
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

    void IDeviceActivity.GuestHasWork()
    {
        Interlocked.Increment(ref _workSequence);
        if (Volatile.Read(ref _parked) != 0)
        {
            _wake.Signal();
        }
    }

    /// <summary>Exits, wake-ups and frames moved: the watchdog's measure of progress.</summary>
    internal long Progress
    {
        get
        {
            var progress = Exits.Total + Interlocked.Read(ref _workSequence) + Volatile.Read(ref _parked);
            foreach (var nic in _nics)
            {
                progress += nic.Device.Metrics.TxFrames + nic.Device.Metrics.RxFrames;
            }

            return progress;
        }
    }

    internal bool IsParked => Volatile.Read(ref _parked) != 0;

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
    /// Gets the vCPU thread out of the guest and out of a park. A kick alone could land between a park's check of the
    /// flags and its wait, and be lost: the park would then wait forever. The eventfd stays signalled until waited on.
    /// </summary>
    private void WakeVcpu()
    {
        _wake.Signal();
        KickVcpu();
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

    private void RunVcpu()
    {
        lock (_kickGate)
        {
            _threadHandle = LibC.PthreadSelf();
        }

        try
        {
            RunLoop();
        }
        finally
        {
            lock (_kickGate)
            {
                _threadHandle = 0;
            }
        }
    }

    private void RunLoop()
    {
        // SAFETY: the kvm_run page stays mapped until Dispose, which joins this thread first.
        var run = _vcpu.Run;
        while (true)
        {
            if (_stopRequested)
            {
                return;
            }

            if (_pauseRequested)
            {
                SetState(VmState.Paused);
                _resume.Wait();
                SetState(VmState.Running);
                continue;
            }

            var errno = _vcpu.Enter();
            if (errno != 0)
            {
                Volatile.Write(ref run->ImmediateExit, 0);
                if (_pendingFault is { } requested)
                {
                    Stopped(requested);
                    return;
                }

                if (errno is LibC.EINTR or LibC.EAGAIN)
                {
                    continue;
                }

                Stopped((VmFaultReason.InternalError, $"KVM_RUN failed: {LibC.ErrorText(errno)} (errno {errno})"));
                return;
            }

            Exits.Count(run->ExitReason);
            if (!HandleExit(run) || ExitCode is not null)
            {
                return;
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
                Park(registers.Rdi);
                break;
            default:
                break;
        }
    }

    /// <summary>
    /// Blocks the vCPU until a device has work for the guest, or the timeout. Work that arrived since the guest last
    /// came back from a park returns at once (the guest may not have seen it), so a wake-up is never lost.
    /// </summary>
    private void Park(ulong timeoutMicroseconds)
    {
        var seen = Interlocked.Read(ref _workSequence);
        if (seen != _workSeenByGuest)
        {
            _workSeenByGuest = seen;
            return;
        }

        Interlocked.Exchange(ref _parked, 1);
        if (Interlocked.Read(ref _workSequence) == seen && !_stopRequested && !_pauseRequested && _pendingFault is null)
        {
            Exits.CountPark();
            var milliseconds = timeoutMicroseconds == 0 ? -1 : (int)Math.Min((timeoutMicroseconds + 999) / 1000, int.MaxValue);
            _wake.Wait(milliseconds);
        }

        Interlocked.Exchange(ref _parked, 0);
        _workSeenByGuest = Interlocked.Read(ref _workSequence);
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
        _wake.Dispose();
        _resume.Dispose();
    }
}
