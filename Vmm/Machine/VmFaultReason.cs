namespace Sdn.Vmm.Machine;

/// <summary>Why the VMM stopped a guest.</summary>
public enum VmFaultReason
{
    /// <summary>KVM_EXIT_SHUTDOWN: the guest triple-faulted (with no IDT, any exception does).</summary>
    TripleFault,

    /// <summary>KVM_EXIT_INTERNAL_ERROR: KVM could not emulate an instruction or deliver an event.</summary>
    InternalError,

    /// <summary>KVM_EXIT_FAIL_ENTRY: the hardware refused the guest state.</summary>
    FailEntry,

    /// <summary>The guest halted or made an exit the VMM does not serve.</summary>
    UnexpectedExit,

    /// <summary>The watchdog saw no exit and no device activity for a whole budget.</summary>
    Runaway,

    /// <summary>The guest ran past the time limit its owner set.</summary>
    TimeLimit,
}
