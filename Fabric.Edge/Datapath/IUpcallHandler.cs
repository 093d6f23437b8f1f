using Sdn.Common.Packets;

namespace Sdn.Fabric.Edge.Datapath;

/// <summary>
/// The slow path, as the datapath sees it: given a flow key that missed the cache, compile what to do with
/// it and say which key bits the decision depended on. Called per miss, never per cache hit.
/// </summary>
public interface IUpcallHandler
{
    CompiledFlow Upcall(in FlowKey key, out FlowKey megaflowMask);
}
