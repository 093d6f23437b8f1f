namespace Sdn.Vmm.Machine;

/// <summary>The life cycle of a VM.</summary>
public enum VmState
{
    Created,
    Running,
    Paused,

    /// <summary>The guest called the exit hypercall.</summary>
    Exited,

    /// <summary>The VMM stopped the guest; see <see cref="VirtualMachine.Fault"/>.</summary>
    Faulted,

    /// <summary>Its owner stopped it.</summary>
    Stopped,
}
