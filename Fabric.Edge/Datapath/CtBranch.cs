namespace Sdn.Fabric.Edge.Datapath;

/// <summary>
/// What a cached flow does after its <see cref="DatapathActionKind.CtLookup"/> for one ct_state: the rest of its
/// actions, and the counters of the entries that state leads through.
/// </summary>
public sealed record CtBranch(DatapathAction[] Actions, EntryCounters[] Counters)
{
    public override string ToString() => string.Join(",", Actions);
}
