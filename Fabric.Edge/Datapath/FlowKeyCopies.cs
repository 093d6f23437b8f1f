using Sdn.Common.Packets;

namespace Sdn.Fabric.Edge.Datapath;

/// <summary>A key store that keeps a copy of each key, for values that do not hold their own.</summary>
public struct FlowKeyCopies : IFlowKeyStore
{
    private FlowKey[] _keys;

    public void Allocate(int size) => _keys = new FlowKey[size];

    public readonly ref readonly FlowKey KeyAt(int slot, object value) => ref _keys[slot];

    public readonly void Store(int slot, in FlowKey key) => _keys[slot] = key;

    public readonly void Move(int fromSlot, int toSlot) => _keys[toSlot] = _keys[fromSlot];
}
