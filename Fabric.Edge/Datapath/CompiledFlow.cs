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
    {
        Actions = actions;
        Counters = counters;
        DhcpOffers = dhcpOffers ?? [];
        _dependencies = dependencies;
        Branches = branches ?? [];
        (Steps, BranchStarts, BranchCounters, BranchCounterStarts) = Flatten(actions, Branches);
    }

    public DatapathAction[] Actions { get; }

    public EntryCounters[] Counters { get; }

    /// <summary>What a lease takes does not fit in an action's operands, so the flow holds them to the side.</summary>
    public DhcpOffer[] DhcpOffers { get; }

    /// <summary>What runs after the flow's ct lookup, by ct_state; empty for a flow without one.</summary>
    public CtBranch[] Branches { get; }

    /// <summary>
    /// What the datapath runs: <see cref="Actions"/>, then every branch's actions one after the other, so that a flow
    /// with a ct lookup is two arrays in memory and not fourteen.
    /// </summary>
    internal DatapathAction[] Steps { get; }

    /// <summary>Where branch i's actions start in <see cref="Steps"/>, and (at i + 1) end.</summary>
    internal int[] BranchStarts { get; }

    /// <summary>Every branch's counters, one after the other; branch i's start at <see cref="BranchCounterStarts"/>[i].</summary>
    internal EntryCounters[] BranchCounters { get; }

    internal int[] BranchCounterStarts { get; }

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

    private static (DatapathAction[], int[], EntryCounters[], int[]) Flatten(DatapathAction[] actions, CtBranch[] branches)
    {
        if (branches.Length == 0)
        {
            return (actions, [], [], []);
        }

        var (steps, counters) = (new List<DatapathAction>(actions), new List<EntryCounters>());
        var (starts, counterStarts) = (new int[branches.Length + 1], new int[branches.Length + 1]);
        for (var i = 0; i < branches.Length; i++)
        {
            (starts[i], counterStarts[i]) = (steps.Count, counters.Count);
            steps.AddRange(branches[i].Actions);
            counters.AddRange(branches[i].Counters);
        }

        (starts[^1], counterStarts[^1]) = (steps.Count, counters.Count);
        return ([.. steps], starts, [.. counters], counterStarts);
    }

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
