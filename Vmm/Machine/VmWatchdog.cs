using System.Diagnostics;

namespace Sdn.Vmm.Machine;

/// <summary>
/// Stops a runaway guest: one that makes no exit and moves no device traffic for a whole
/// <see cref="VmOptions.RunawayBudget"/> (a parked guest is idle, not runaway), or that outlives its
/// <see cref="VmOptions.TimeLimit"/>. It checks on a timer, so it costs nothing on the data path.
/// </summary>
internal sealed class VmWatchdog(VirtualMachine vm) : IDisposable
{
    private Timer? _timer;
    private long _startedAt;
    private long _lastProgress = -1;
    private long _lastProgressAt;

    public void Start()
    {
        _startedAt = _lastProgressAt = Stopwatch.GetTimestamp();
        var period = TimeSpan.FromMilliseconds(Math.Clamp(vm.Options.RunawayBudget.TotalMilliseconds / 4, 5, 250));
        _timer = new Timer(_ => Check(), null, period, period);
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
        _timer?.Dispose();
        _timer = null;
    }
}
