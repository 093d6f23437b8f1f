using Sdn.Fabric.Core.Links;
using Sdn.Fabric.Core.Links.Liveness;

namespace Sdn.Fabric.Core.Lsr;

/// <summary>One port of a core node: a link and, when configured, the liveness session that watches it.</summary>
public sealed class CorePort
{
    internal CorePort(int index, LinkEnd link, LivenessSession? liveness)
    {
        Index = index;
        Link = link;
        Liveness = liveness;
    }

    /// <summary>The number LFIB next hops use for this port.</summary>
    public int Index { get; }

    public LinkEnd Link { get; }

    /// <summary>Null for a port whose link is trusted to be up (no hellos are exchanged on it).</summary>
    public LivenessSession? Liveness { get; }

    /// <summary>Up when the link is not forced down and its liveness session, if any, is Up.</summary>
    public bool IsUp => !Link.IsForcedDown && (Liveness is null || Liveness.IsUp);
}
