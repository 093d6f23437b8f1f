namespace Sdn.Vmm.Kvm;

/// <summary>KVM_EXIT_* values of <see cref="KvmRun.ExitReason"/>.</summary>
public enum KvmExitReason
{
    Unknown = 0,
    Exception = 1,
    Io = 2,
    Hypercall = 3,
    Debug = 4,
    Hlt = 5,
    Mmio = 6,
    IrqWindowOpen = 7,
    Shutdown = 8,
    FailEntry = 9,
    Interrupted = 10,
    InternalError = 17,
    SystemEvent = 24,
}
