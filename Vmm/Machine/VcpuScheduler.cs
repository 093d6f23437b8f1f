using Sdn.Vmm.Interop;

namespace Sdn.Vmm.Machine;

/// <summary>
/// The threads that run the vCPUs of every VM in the process. A vCPU holds a thread only while it is out of the
/// idle hypercall: a guest that parks gives its thread back, and a wake-up (device work, its park's timeout, a
/// stop, pause or fault request) puts it in the ready queue, where the next free thread takes it and enters
/// KVM_RUN again. Threads do not grow with VMs: a parked VM costs none.
/// </summary>
/// <remarks>
/// A woken vCPU goes back to the thread it ran on last when that one is idle or is still giving it back, else to any
/// idle one, else to the queue. A busy guest keeps its thread for as long as it runs, so the pool must not let ready vCPUs starve behind busy
/// ones: an enqueue with no idle thread starts one while there are fewer than <see cref="ImmediateThreads"/>, and
/// beyond that <see cref="StartIfStarved"/> (called by the watchdog's timer) adds one when the queue waited a
/// whole check with every thread busy. Threads idle for <see cref="RetireAfterMilliseconds"/> end, down to the
/// minimum. An idle thread blocks on an eventfd at once: a spinning wait would take the CPU the busy guests need.
/// </remarks>
internal sealed class VcpuScheduler
{
    private const int RetireAfterMilliseconds = 2000;

    private readonly Lock _gate = new();
    private readonly Queue<VirtualMachine> _ready = new();
    private readonly List<Worker> _idle = [];
    private readonly int _minimumThreads;
    private int _threads;
    private int _queuedAtLastCheck;

    private VcpuScheduler(int minimumThreads)
    {
        _minimumThreads = minimumThreads;
    }

    /// <summary>The scheduler of the process: at least one thread per core, started on demand.</summary>
    public static VcpuScheduler Shared { get; } = new(Environment.ProcessorCount);

    /// <summary>How many threads an enqueue may start by itself; more come only from <see cref="StartIfStarved"/>.</summary>
    private int ImmediateThreads => 2 * _minimumThreads;

    /// <summary>
    /// Makes <paramref name="vm"/> run on a free thread, the one it ran on last when that one is free: KVM_RUN from
    /// another thread than the last costs the kernel a switch of the vCPU's task, and the caches their warmth.
    /// The VM enqueues itself once per wake-up.
    /// </summary>
    public void Enqueue(VirtualMachine vm)
    {
        Worker? handedTo = null;
        lock (_gate)
        {
            if (vm.LastWorker is { } last && (last.IsIdle || last.Running == vm))
            {
                handedTo = last;
            }
            else if (_idle.Count > 0)
            {
                handedTo = _idle[^1];
            }

            if (handedTo is not null)
            {
                handedTo.Assigned = vm;
                if (!handedTo.IsIdle)
                {
                    return; // still giving this VM back: it takes it again on its next look, with no wake-up
                }

                _idle.Remove(handedTo);
                handedTo.IsIdle = false;
            }
            else
            {
                _ready.Enqueue(vm);
                if (_threads >= ImmediateThreads)
                {
                    return;
                }

                _threads++;
            }
        }

        if (handedTo is not null)
        {
            handedTo.Signal.Signal();
            return;
        }

        StartThread();
    }

    /// <summary>Adds a thread when vCPUs have waited in the queue since the last check with no thread free.</summary>
    public void StartIfStarved()
    {
        lock (_gate)
        {
            var starved = _ready.Count > 0 && _idle.Count == 0 && _queuedAtLastCheck > 0;
            _queuedAtLastCheck = _idle.Count == 0 ? _ready.Count : 0;
            if (!starved)
            {
                return;
            }

            _threads++;
        }

        StartThread();
    }

    private void StartThread() => new Thread(Run, maxStackSize: 256 * 1024) { IsBackground = true, Name = "vcpu worker" }.Start();

    private void Run()
    {
        using var worker = new Worker();
        while (true)
        {
            VirtualMachine? vm;
            int patienceMilliseconds;
            lock (_gate)
            {
                vm = worker.Assigned ?? (_ready.Count > 0 ? _ready.Dequeue() : null);
                worker.Assigned = null;
                worker.Running = vm;
                if (vm is null && !worker.IsIdle)
                {
                    worker.IsIdle = true;
                    _idle.Add(worker);
                }

                patienceMilliseconds = _threads > _minimumThreads ? RetireAfterMilliseconds : Timeout.Infinite;
            }

            if (vm is not null)
            {
                vm.LastWorker = worker;
                vm.RunSlice();
            }
            else if (!worker.Signal.Wait(patienceMilliseconds) && Retires(worker))
            {
                return;
            }
        }
    }

    /// <summary>Whether a thread that waited its whole patience idle ends; one handed a VM meanwhile goes on.</summary>
    private bool Retires(Worker worker)
    {
        lock (_gate)
        {
            if (!worker.IsIdle || _threads <= _minimumThreads)
            {
                return false;
            }

            _idle.Remove(worker);
            worker.IsIdle = false;
            _threads--;
            return true;
        }
    }

    /// <summary>One of the scheduler's threads: the VM handed to it, and the eventfd it waits on while idle.</summary>
    internal sealed class Worker : IDisposable
    {
        public EventFd Signal { get; } = new();

        /// <summary>In the idle list, waiting; changed under the scheduler's lock.</summary>
        public bool IsIdle { get; set; }

        /// <summary>The VM handed to this thread while it was idle, or woken again as this thread gave it back; changed under the scheduler's lock.</summary>
        public VirtualMachine? Assigned { get; set; }

        /// <summary>The VM this thread runs, until its next look for work; changed under the scheduler's lock.</summary>
        public VirtualMachine? Running { get; set; }

        public void Dispose() => Signal.Dispose();
    }
}
