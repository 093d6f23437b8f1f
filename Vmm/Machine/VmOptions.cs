namespace Sdn.Vmm.Machine;

/// <summary>How to build a VM.</summary>
public sealed record VmOptions
{
    /// <summary>A name for logs, fault reports and thread names.</summary>
    public string Name { get; init; } = "vm";

    /// <summary>Guest RAM, a multiple of 2 MiB.</summary>
    public ulong MemoryBytes { get; init; } = 4 << 20;

    /// <summary>The watchdog stops a guest that neither exits nor moves device traffic for this long.</summary>
    public TimeSpan RunawayBudget { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>When set, the watchdog stops the guest once it has run this long.</summary>
    public TimeSpan? TimeLimit { get; init; }
}
