using System.Runtime.CompilerServices;

namespace Sdn.Fabric.Edge.Datapath;

/// <summary>
/// What the slow path decided for one class of packets: the primitive actions to run, the counters of the
/// entries that matched, and the versions of everything the decision read.
/// </summary>
/// <remarks>
/// The datapath caches these and runs them without knowing what a table or a group is. A flow stays
/// usable exactly as long as every <see cref="VersionStamp"/> it depends on still holds the value seen
/// when it was compiled.
/// </remarks>
public sealed class CompiledFlow
{
    // Stamps and the values seen side by side, so checking a hit touches one array.
    private readonly (VersionStamp Stamp, int Seen)[] _dependencies;

    public CompiledFlow(DatapathAction[] actions, FlowCounters[] counters, IReadOnlyCollection<VersionStamp> dependencies)
    {
        ArgumentNullException.ThrowIfNull(dependencies);
        Actions = actions;
        Counters = counters;
        _dependencies = dependencies.Select(stamp => (stamp, stamp.Value)).ToArray();
    }

    public DatapathAction[] Actions { get; }

    public FlowCounters[] Counters { get; }

    /// <summary>True while nothing the flow was compiled from has changed.</summary>
    public bool IsCurrent
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            var dependencies = _dependencies;
            for (var i = 0; i < dependencies.Length; i++)
            {
                if (dependencies[i].Stamp.Value != dependencies[i].Seen)
                {
                    return false;
                }
            }

            return true;
        }
    }

    public override string ToString() => string.Join(",", Actions);
}
