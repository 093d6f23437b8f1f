namespace Sdn.Vmm.Tests;

/// <summary>
/// Tests that measure the whole process (fds, threads, RSS, allocated bytes) run alone: any other test's VMs
/// would show up in their numbers.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessWideMeasurements
{
    public const string Name = "process-wide measurements";
}
