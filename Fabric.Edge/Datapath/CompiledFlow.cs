using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace Sdn.Fabric.Edge.Datapath;

/// <summary>
/// What the slow path decided for one class of packets: the primitive actions to run, the counters of the
/// entries that matched, and a record of what the decision read.
/// </summary>
/// <remarks>
/// The datapath caches these and runs them without knowing what a table or a group is. A flow is current until it
/// is retired, and a retired flow never becomes current again: the slow path retires it when a change could alter
/// its decision (through the <see cref="IFlowDependencies"/> it was compiled with), and the cache when it lets the
/// flow go. So a hit checks one flag, whatever the flow read and however much changed elsewhere.
/// </remarks>
public sealed class CompiledFlow
{
    private readonly IFlowDependencies? _dependencies;
    private bool _tracked;
    private bool _retired;

    /// <param name="dependencies">What the decision read; null for a flow that nothing can change.</param>
    /// <param name="dhcpOffers">The leases the flow's <see cref="DatapathActionKind.DhcpReply"/> actions hand out, by index.</param>
    /// <param name="branches">
    /// When the actions end with a <see cref="DatapathActionKind.CtLookup"/>: what follows it for each ct_state, by
    /// <see cref="Conntrack.CtOutcomes.IndexOf"/>.
    /// </param>
    public CompiledFlow(
        DatapathAction[] actions,
        EntryCounters[] counters,
        IFlowDependencies? dependencies = null,
        DhcpOffer[]? dhcpOffers = null,
        CtBranch[]? branches = null)
        : this(new FlowProgram(actions, counters, dhcpOffers ?? [], branches ?? []), dependencies)
    {
    }

    /// <summary>A flow that runs <paramref name="program"/>, which other flows may share.</summary>
    internal CompiledFlow(FlowProgram program, IFlowDependencies? dependencies)
    {
        Program = program;
        (Steps, Counters, ActionCount, HasBranches, LooksUpFirst) = (program.Steps, program.Counters, program.ActionCount, program.HasBranches, program.LooksUpFirst);
        _dependencies = dependencies;
    }

    public DatapathAction[] Actions => Program.Actions;

    public EntryCounters[] Counters { get; }

    /// <summary>What a lease takes does not fit in an action's operands, so the flow holds them to the side.</summary>
    public DhcpOffer[] DhcpOffers => Program.DhcpOffers;

    /// <summary>What runs after the flow's ct lookup, by ct_state; empty for a flow without one.</summary>
    public CtBranch[] Branches => Program.Branches;

    /// <summary>What the datapath runs. What every packet reads of it is copied into the flow, one load nearer.</summary>
    internal FlowProgram Program { get; }

    /// <inheritdoc cref="FlowProgram.Steps"/>
    internal DatapathAction[] Steps { get; }

    /// <inheritdoc cref="FlowProgram.ActionCount"/>
    internal int ActionCount { get; }

    internal bool HasBranches { get; }

    /// <inheritdoc cref="FlowProgram.LooksUpFirst"/>
    internal bool LooksUpFirst { get; }

    /// <summary>
    /// Starts loading what running the flow reads first: its first steps and, with branches, where they lie and their
    /// counters. The datapath calls it for a burst's flows before running them, so that their cache misses overlap.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal unsafe void Prefetch()
    {
        if (!Sse.IsSupported)
        {
            return;
        }

        // SAFETY: a prefetch is only a hint and never faults: if the collector moves an array between taking its
        // address and prefetching it, only the hint is lost.
        var steps = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(Steps));
        Sse.Prefetch0(steps);
        Sse.Prefetch0(steps + 64);
        if (HasBranches)
        {
            Sse.Prefetch0(steps + 128);
            Sse.Prefetch0(Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(Program.BranchBounds)));
            Sse.Prefetch0(Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(Program.BranchCounters)));
        }
    }

    /// <summary>True until the flow is retired.</summary>
    public bool IsCurrent
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => !_retired;
    }

    /// <summary>Stops the flow from ever being used again, and lets go of what it was tracked by.</summary>
    public void Retire()
    {
        if (_retired)
        {
            return;
        }

        _retired = true;
        if (_tracked)
        {
            _dependencies?.Release();
        }
    }

    public override string ToString() =>
        Branches.Length == 0
            ? string.Join(",", Actions)
            : $"{string.Join(",", Actions)}->[{string.Join("; ", Branches.Select((branch, i) => $"{Conntrack.CtOutcomes.Describe(Conntrack.CtOutcomes.All[i])}: {branch}"))}]";

    /// <summary>Called by the cache when it takes the flow in: from then on the slow path retires it when it must.</summary>
    internal void Track()
    {
        if (_tracked || _retired)
        {
            return;
        }

        _tracked = true;
        _dependencies?.Track(this);
    }
}
