using Sdn.Common.Packets;
using Sdn.Fabric.Edge.Datapath;

namespace Sdn.Fabric.Edge.Pipeline;

/// <summary>
/// The key store of a classifier subtable, whose values are flow entries: a slot's key is the match value of the
/// entry in it, so the table keeps no copies. An entry stored under a key must have that key as its match value, as
/// every entry of a subtable does.
/// </summary>
internal struct TableEntryKeys : IFlowKeyStore
{
    public readonly void Allocate(int size)
    {
    }

    public readonly ref readonly FlowKey KeyAt(int slot, object value) => ref ((TableEntry)value).MatchValue;

    public readonly void Store(int slot, in FlowKey key)
    {
    }

    public readonly void Move(int fromSlot, int toSlot)
    {
    }
}
