namespace Sdn.Vmm.Kvm;

/// <summary>
/// Turns KVM_GET_SUPPORTED_CPUID into what a micro-guest sees: features that nested KVM cannot emulate
/// are masked off and the hypervisor bit is set, so a guest that probes CPUID never takes a path that faults.
/// </summary>
internal static class CpuidPolicy
{
    private const uint Leaf1EcxMonitor = 1u << 3;
    private const uint Leaf1EcxVmx = 1u << 5;
    private const uint Leaf1EcxPdcm = 1u << 15;
    private const uint Leaf1EcxTscDeadline = 1u << 24;
    private const uint Leaf1EcxHypervisor = 1u << 31;
    private const uint Leaf7EbxRtm = 1u << 11;
    private const uint Leaf7EbxHle = 1u << 4;
    private const uint PerformanceMonitoringLeaf = 0xA;

    public static KvmCpuidEntry2[] ForGuest(IReadOnlyList<KvmCpuidEntry2> supported)
    {
        var entries = supported.ToArray();
        for (var i = 0; i < entries.Length; i++)
        {
            ref var entry = ref entries[i];
            switch (entry.Function)
            {
                case 1:
                    // MONITOR/MWAIT, nested VMX, perf capabilities and the TSC deadline timer are not
                    // emulated reliably by a nested hypervisor; the hypervisor bit tells the guest where it runs.
                    entry.Ecx &= ~(Leaf1EcxMonitor | Leaf1EcxVmx | Leaf1EcxPdcm | Leaf1EcxTscDeadline);
                    entry.Ecx |= Leaf1EcxHypervisor;
                    break;
                case 7 when entry.Index == 0:
                    // Transactional memory aborts unpredictably under nesting.
                    entry.Ebx &= ~(Leaf7EbxRtm | Leaf7EbxHle);
                    break;
                case PerformanceMonitoringLeaf:
                    // No virtual PMU: the counters would exit on every access.
                    entry.Eax = entry.Ebx = entry.Ecx = entry.Edx = 0;
                    break;
                default:
                    break;
            }
        }

        return entries;
    }
}
