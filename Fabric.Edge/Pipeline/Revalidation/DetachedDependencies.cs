using Sdn.Common.Packets;

namespace Sdn.Fabric.Edge.Pipeline.Revalidation;

/// <summary>What a translation recorded, copied out of the store's scratch for a flow not tracked before the next translation.</summary>
internal sealed class DetachedDependencies(CachedTableVisit[] visits, uint[] groups, uint[] ports, FlowKey megaflowMask)
{
    public CachedTableVisit[] Visits { get; } = visits;

    public uint[] Groups { get; } = groups;

    public uint[] Ports { get; } = ports;

    public FlowKey MegaflowMask { get; } = megaflowMask;
}
