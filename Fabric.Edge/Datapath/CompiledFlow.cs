using System.Runtime.CompilerServices;

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
        _dependencies = dependencies;
    }

    public DatapathAction[] Actions => Program.Actions;

    public EntryCounters[] Counters => Program.Counters;

    /// <summary>What a lease takes does not fit in an action's operands, so the flow holds them to the side.</summary>
    public DhcpOffer[] DhcpOffers => Program.DhcpOffers;

    /// <summary>What runs after the flow's ct lookup, by ct_state; empty for a flow without one.</summary>
    public CtBranch[] Branches => Program.Branches;

    /// <summary>What the datapath runs.</summary>
    internal FlowProgram Program { get; }

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
