using Sdn.Fabric.Edge.Conntrack;

namespace Sdn.Fabric.Edge.Datapath;

/// <summary>
/// What the datapath runs for a <see cref="CompiledFlow"/>: its actions, the counters it bumps and, after a ct
/// lookup, a branch per ct_state, laid out flat. Flows of one decision may share one (see
/// <see cref="Equals(FlowProgram)"/>): the megaflows of many connections, which differ only in fields the decision
/// read but did not act on, then run the same few cache lines instead of a copy each.
/// </summary>
internal sealed class FlowProgram : IEquatable<FlowProgram>
{
    /// <summary>
    /// The order the branches lie in <see cref="Steps"/>: the established ones first, right after the lookup, so that
    /// what most packets run shares the lookup's cache lines.
    /// </summary>
    private static readonly int[] HotFirst = Enumerable.Range(0, CtOutcomes.All.Count)
        .OrderBy(i => (CtOutcomes.All[i] & CtState.Established) == 0)
        .ToArray();

    private readonly int _hash;

    public FlowProgram(DatapathAction[] actions, EntryCounters[] counters, DhcpOffer[] dhcpOffers, CtBranch[] branches)
    {
        (Actions, Counters, DhcpOffers, Branches) = (actions, counters, dhcpOffers, branches);
        (Steps, BranchBounds, BranchCounters) = Flatten(actions, branches);
        ActionCount = actions.Length;
        HasBranches = branches.Length > 0;
        LooksUpFirst = actions is [{ Kind: DatapathActionKind.CtLookup }, ..];
        var hash = new HashCode();
        foreach (var step in Steps)
        {
            hash.Add(step);
        }

        _hash = hash.ToHashCode();
    }

    public DatapathAction[] Actions { get; }

    public EntryCounters[] Counters { get; }

    public DhcpOffer[] DhcpOffers { get; }

    public CtBranch[] Branches { get; }

    /// <summary>
    /// <see cref="Actions"/>, then every branch's actions one after the other (the established ones first), so that a
    /// flow with a ct lookup is three arrays in memory and not fourteen.
    /// </summary>
    public DatapathAction[] Steps { get; }

    /// <summary>How many of <see cref="Steps"/> are <see cref="Actions"/>, the ones before the branches.</summary>
    public int ActionCount { get; }

    public bool HasBranches { get; }

    /// <summary>
    /// Whether the first action is a ct lookup, which then reads the packet as it was parsed: the datapath reads such
    /// a packet's tuple ahead of running the flow, with the rest of its burst's.
    /// </summary>
    public bool LooksUpFirst { get; }

    /// <summary>
    /// Four numbers per branch, by <see cref="CtOutcomes.IndexOf"/>: where its actions start and end in
    /// <see cref="Steps"/>, and where its counters start and end in <see cref="BranchCounters"/>.
    /// </summary>
    public int[] BranchBounds { get; }

    /// <summary>Every branch's counters, one branch after the other in the order of <see cref="Steps"/>.</summary>
    public EntryCounters[] BranchCounters { get; }

    /// <summary>True when both run the same actions, bump the same counters (the same objects) and hand out the same leases.</summary>
    public bool Equals(FlowProgram? other) =>
        other is not null
        && _hash == other._hash
        && ActionCount == other.ActionCount
        && Steps.AsSpan().SequenceEqual(other.Steps)
        && BranchBounds.AsSpan().SequenceEqual(other.BranchBounds)
        && Same(Counters, other.Counters)
        && Same(BranchCounters, other.BranchCounters)
        && DhcpOffers.AsSpan().SequenceEqual(other.DhcpOffers);

    public override bool Equals(object? obj) => Equals(obj as FlowProgram);

    public override int GetHashCode() => _hash;

    private static bool Same(EntryCounters[] these, EntryCounters[] those)
    {
        if (these.Length != those.Length)
        {
            return false;
        }

        for (var i = 0; i < these.Length; i++)
        {
            if (!ReferenceEquals(these[i], those[i]))
            {
                return false;
            }
        }

        return true;
    }

    private static (DatapathAction[], int[], EntryCounters[]) Flatten(DatapathAction[] actions, CtBranch[] branches)
    {
        if (branches.Length == 0)
        {
            return (actions, [], []);
        }

        var (steps, counters) = (new List<DatapathAction>(actions), new List<EntryCounters>());
        var bounds = new int[4 * branches.Length];
        foreach (var i in HotFirst)
        {
            bounds[4 * i] = steps.Count;
            bounds[(4 * i) + 2] = counters.Count;
            steps.AddRange(branches[i].Actions);
            counters.AddRange(branches[i].Counters);
            bounds[(4 * i) + 1] = steps.Count;
            bounds[(4 * i) + 3] = counters.Count;
        }

        return ([.. steps], bounds, [.. counters]);
    }
}
