using Sdn.Vmm.Kvm;

namespace Sdn.Vmm.Machine;

/// <summary>Per-VM counts of vCPU exits by KVM exit reason, written by the vCPU thread only.</summary>
public sealed class VmExitCounters
{
    private const int ReasonSlots = 64;
    private readonly long[] _byReason = new long[ReasonSlots];
    private long _total;
    private long _parks;

    public long Total => Volatile.Read(ref _total);

    /// <summary>Idle hypercalls that actually blocked the vCPU.</summary>
    public long Parks => Volatile.Read(ref _parks);

    public long this[KvmExitReason reason] => (uint)reason < ReasonSlots ? Volatile.Read(ref _byReason[(int)reason]) : 0;

    internal void Count(uint reason)
    {
        Volatile.Write(ref _total, _total + 1);
        if (reason < ReasonSlots)
        {
            Volatile.Write(ref _byReason[reason], _byReason[reason] + 1);
        }
    }

    internal void CountPark() => Volatile.Write(ref _parks, _parks + 1);

    /// <summary>The non-zero counters by reason name, for logs and reports.</summary>
    public IReadOnlyDictionary<string, long> Snapshot()
    {
        var snapshot = new Dictionary<string, long>();
        for (var i = 0; i < ReasonSlots; i++)
        {
            var count = Volatile.Read(ref _byReason[i]);
            if (count != 0)
            {
                snapshot[Enum.IsDefined((KvmExitReason)i) ? ((KvmExitReason)i).ToString() : $"reason{i}"] = count;
            }
        }

        return snapshot;
    }
}
