namespace Sdn.Vmm.Machine;

/// <summary>
/// The threads that run the vCPUs of every VM in the process. A vCPU holds a thread only while it is out of the
/// idle hypercall: a guest that parks gives its thread back, and a wake-up (device work, its park's timeout, a
/// stop, pause or fault request) puts it in the ready queue, where the next free thread takes it and enters
/// KVM_RUN again. Threads do not grow with VMs: a parked VM costs none.
/// </summary>
/// <remarks>
/// A busy guest keeps its thread for as long as it runs, so the pool must not let ready vCPUs starve behind busy
/// ones: an enqueue with no idle thread starts one while there are fewer than <see cref="ImmediateThreads"/>, and
/// beyond that <see cref="StartIfStarved"/> (called by the watchdog's timer) adds one when the queue waited a
/// whole check with every thread busy. Threads idle for <see cref="RetireAfter"/> end, down to the minimum.
/// </remarks>
internal sealed class VcpuScheduler
{
    private static readonly TimeSpan RetireAfter = TimeSpan.FromSeconds(2);

    /// <summary>An object rather than a <see cref="Lock"/>: idle threads wait on it with Monitor.Wait.</summary>
    private readonly object _gate = new();
    private readonly Queue<VirtualMachine> _ready = new();
    private readonly int _minimumThreads;
    private int _threads;
    private int _idle;
    private int _queuedAtLastCheck;

    private VcpuScheduler(int minimumThreads)
    {
        _minimumThreads = minimumThreads;
    }

    /// <summary>The scheduler of the process: at least one thread per core, started on demand.</summary>
    public static VcpuScheduler Shared { get; } = new(Environment.ProcessorCount);

    /// <summary>How many threads an enqueue may start by itself; more come only from <see cref="StartIfStarved"/>.</summary>
    private int ImmediateThreads => 2 * _minimumThreads;

    /// <summary>The pool's threads now, idle ones included.</summary>
    public int Threads
    {
        get
        {
            lock (_gate)
            {
                return _threads;
            }
        }
    }

    /// <summary>Makes <paramref name="vm"/> run on the next free thread; the VM enqueues itself once per wake-up.</summary>
    public void Enqueue(VirtualMachine vm)
    {
        lock (_gate)
        {
            _ready.Enqueue(vm);
            if (_ready.Count <= _idle)
            {
                Monitor.Pulse(_gate);
                return;
            }

            if (_threads >= ImmediateThreads)
            {
                return;
            }

            _threads++;
        }

        StartThread();
    }

    /// <summary>Adds a thread when vCPUs have waited in the queue since the last check with no thread free.</summary>
    public void StartIfStarved()
    {
        lock (_gate)
        {
            var starved = _ready.Count > 0 && _idle == 0 && _queuedAtLastCheck > 0;
            _queuedAtLastCheck = _idle == 0 ? _ready.Count : 0;
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
        while (Next() is { } vm)
        {
            vm.RunSlice();
        }
    }

    /// <summary>The next ready VM, or null when this thread has been idle long enough to end.</summary>
    private VirtualMachine? Next()
    {
        lock (_gate)
        {
            while (_ready.Count == 0)
            {
                _idle++;
                var woken = Monitor.Wait(_gate, _threads > _minimumThreads ? RetireAfter : Timeout.InfiniteTimeSpan);
                _idle--;
                if (!woken && _ready.Count == 0 && _threads > _minimumThreads)
                {
                    _threads--;
                    return null;
                }
            }

            return _ready.Dequeue();
        }
    }
}
