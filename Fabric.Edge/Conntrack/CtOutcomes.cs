using System.Runtime.CompilerServices;
using Sdn.Contracts.Southbound;

namespace Sdn.Fabric.Edge.Conntrack;

/// <summary>The ct_states a tracker lookup can give, each with the index of its branch in a compiled flow.</summary>
public static class CtOutcomes
{
    public static IReadOnlyList<CtState> All { get; } =
    [
        CtState.Tracked | CtState.New,
        CtState.Tracked | CtState.Established,
        CtState.Tracked | CtState.Established | CtState.Reply,
        CtState.Tracked | CtState.Related,
        CtState.Tracked | CtState.Related | CtState.Reply,
        CtState.Tracked | CtState.Invalid,
    ];

    /// <summary>Where <paramref name="state"/> is in <see cref="All"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int IndexOf(CtState state) => state switch
    {
        CtState.Tracked | CtState.New => 0,
        CtState.Tracked | CtState.Established => 1,
        CtState.Tracked | CtState.Established | CtState.Reply => 2,
        CtState.Tracked | CtState.Related => 3,
        CtState.Tracked | CtState.Related | CtState.Reply => 4,
        _ => 5,
    };

    /// <summary>"trk|est|rpl", the flags as Open vSwitch names them.</summary>
    public static string Describe(CtState state) => CtStateText.Format((uint)state);
}
