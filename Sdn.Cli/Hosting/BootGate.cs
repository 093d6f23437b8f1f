namespace Sdn.Cli.Hosting;

/// <summary>
/// When the VMs of a fabric boot. While a fabric comes up the gate is shut: VMs are made as their edges are programmed,
/// and boot together once every node holds its program, those that only answer (echo, sink) first, so that senders
/// find them up. Once open, a VM boots as soon as it is made.
/// </summary>
internal sealed class BootGate
{
    private readonly Lock _gate = new();
    private readonly List<GuestVm> _held = [];
    private bool _open;

    public BootGate(bool open)
    {
        _open = open;
    }

    public void Boot(GuestVm vm)
    {
        lock (_gate)
        {
            if (!_open)
            {
                _held.Add(vm);
                return;
            }
        }

        Start(vm);
    }

    /// <summary>Forgets a VM that is going away before it booted.</summary>
    public void Forget(GuestVm vm)
    {
        lock (_gate)
        {
            _held.Remove(vm);
        }
    }

    /// <summary>
    /// Boots every held VM, and every later one at once: the responders first, then, once they are up (or
    /// <paramref name="timeout"/> has passed, or one failed), the senders.
    /// </summary>
    public void Open(TimeSpan timeout)
    {
        List<GuestVm> held;
        lock (_gate)
        {
            _open = true;
            held = [.. _held];
            _held.Clear();
        }

        var responders = held.Where(v => v.Launch.Responds).ToList();
        responders.ForEach(Start);
        foreach (var vm in responders)
        {
            vm.Machine.WaitUntil(_ => vm.IsUp || vm.Failure is not null, timeout);
        }

        held.Where(v => !v.Launch.Responds).ToList().ForEach(Start);
    }

    private static void Start(GuestVm vm) => vm.Boot(GuestImages.For(vm.Launch.App));
}
