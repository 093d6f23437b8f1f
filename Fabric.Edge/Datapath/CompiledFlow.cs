using System.Runtime.CompilerServices;

namespace Sdn.Fabric.Edge.Datapath;

/// <summary>
/// What the slow path decided for one class of packets: the primitive actions to run, the counters of the
/// entries that matched, and the versions of everything the decision read.
/// </summary>
/// <remarks>
/// The datapath caches these and runs them without knowing what a table or a group is. A flow stays
/// usable exactly as long as every <see cref="VersionStamp"/> it depends on still holds the value seen
/// when it was compiled. All those stamps share one parent: while the parent has not moved, nothing has,
/// and a hit checks one number instead of every dependency.
/// </remarks>
public sealed class CompiledFlow
{
    // Stamps and the values seen side by side, so revalidating touches one array.
    private readonly (VersionStamp Stamp, int Seen)[] _dependencies;
    private readonly VersionStamp _anyChange;
    private int _anyChangeSeen;

    /// <param name="dependencies">What the decision read; every stamp's <see cref="VersionStamp.Parent"/> must be <paramref name="anyChange"/>.</param>
    /// <param name="dhcpOffers">The leases the flow's <see cref="DatapathActionKind.DhcpReply"/> actions hand out, by index.</param>
    /// <param name="branches">
    /// When the actions end with a <see cref="DatapathActionKind.CtLookup"/>: what follows it for each ct_state, by
    /// <see cref="Conntrack.CtOutcomes.IndexOf"/>.
    /// </param>
    public CompiledFlow(
        DatapathAction[] actions,
        EntryCounters[] counters,
        IReadOnlyCollection<VersionStamp> dependencies,
        VersionStamp anyChange,
        DhcpOffer[]? dhcpOffers = null,
        CtBranch[]? branches = null)
    {
        ArgumentNullException.ThrowIfNull(dependencies);
        ArgumentNullException.ThrowIfNull(anyChange);
        if (dependencies.Any(stamp => stamp.Parent != anyChange))
        {
            throw new ArgumentException("a dependency's stamp is not a child of the any-change stamp, so its changes would go unseen", nameof(dependencies));
        }

        Actions = actions;
        Counters = counters;
        DhcpOffers = dhcpOffers ?? [];
        Branches = branches ?? [];
        (Steps, BranchStarts, BranchCounters, BranchCounterStarts) = Flatten(actions, Branches);
        _anyChange = anyChange;
        _anyChangeSeen = anyChange.Value;
        _dependencies = dependencies.Select(stamp => (stamp, stamp.Value)).ToArray();
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

    /// <summary>True while nothing the flow was compiled from has changed.</summary>
    public bool IsCurrent
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _anyChange.Value == _anyChangeSeen || Revalidate();
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

    /// <summary>Something changed since the last check: the flow is still current if none of its own dependencies did.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool Revalidate()
    {
        var anyChange = _anyChange.Value;
        var dependencies = _dependencies;
        for (var i = 0; i < dependencies.Length; i++)
        {
            if (dependencies[i].Stamp.Value != dependencies[i].Seen)
            {
                return false;
            }
        }

        _anyChangeSeen = anyChange;
        return true;
    }
}
