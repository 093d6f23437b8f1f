using System.Diagnostics;

namespace Sdn.Vmm.Machine;

/// <summary>
/// Stops a runaway guest: one that makes no exit and moves no device traffic for a whole
/// <see cref="VmOptions.RunawayBudget"/> (a parked guest is idle, not runaway), or that outlives its
/// <see cref="VmOptions.TimeLimit"/>. It checks on a timer, so it costs nothing on the data path; one timer serves
/// every VM of the process, at the shortest period any of them asks for, so that idle VMs add no wake-ups. The same
/// timer lets the <see cref="VcpuScheduler"/> add a thread when ready vCPUs wait behind busy ones.
/// </summary>
internal sealed class VmWatchdog(VirtualMachine vm) : IDisposable
{
    private static readonly Lock Gate = new();
    private static readonly List<VmWatchdog> Watched = [];
    private static Timer? s_timer;
    private static TimeSpan s_period;
    private static int s_checking;

    private bool _watching;
    private long _startedAt;
    private long _lastProgress = -1;
    private long _lastProgressAt;

    public void Start()
    {
        _startedAt = _lastProgressAt = Stopwatch.GetTimestamp();
        var period = TimeSpan.FromMilliseconds(Math.Clamp(vm.Options.RunawayBudget.TotalMilliseconds / 4, 5, 250));
        lock (Gate)
        {
            Watched.Add(this);
            _watching = true;
            if (s_timer is null)
            {
                s_period = period;
                s_timer = new Timer(_ => CheckAll(), null, period, period);
            }
            else if (period < s_period)
            {
                s_period = period;
                s_timer.Change(period, period);
            }
        }
    }

    private static void CheckAll()
    {
        // A slow round must not overlap the next: each watchdog's fields belong to one round at a time.
        if (Interlocked.Exchange(ref s_checking, 1) != 0)
        {
            return;
        }

        VmWatchdog[] watched;
        lock (Gate)
        {
            watched = [.. Watched];
        }

        foreach (var watchdog in watched)
        {
            watchdog.Check();
        }

        VcpuScheduler.Shared.StartIfStarved();

        Volatile.Write(ref s_checking, 0);
    }

    private void Check()
    {
        if (vm.State != VmState.Running)
        {
            return;
        }

        var now = Stopwatch.GetTimestamp();
        if (vm.Options.TimeLimit is { } limit && Stopwatch.GetElapsedTime(_startedAt, now) > limit)
        {
            vm.RequestFault(VmFaultReason.TimeLimit, $"the guest ran longer than its time limit of {limit.TotalSeconds:0.###} s");
            return;
        }

        var progress = vm.Progress;
        if (progress != _lastProgress || vm.IsParked)
        {
            _lastProgress = progress;
            _lastProgressAt = now;
            return;
        }

        if (Stopwatch.GetElapsedTime(_lastProgressAt, now) > vm.Options.RunawayBudget)
        {
            vm.RequestFault(VmFaultReason.Runaway, $"no exit and no device traffic for {vm.Options.RunawayBudget.TotalSeconds:0.###} s: the guest is spinning");
        }
    }

    public void Dispose()
    {
        lock (Gate)
        {
            if (!_watching)
            {
                return;
            }

            _watching = false;
            Watched.Remove(this);
            if (Watched.Count == 0)
            {
                s_timer?.Dispose();
                s_timer = null;
            }
        }
    }
}
