using Sdn.Common.Packets;

namespace Sdn.Fabric.Edge.Datapath;

/// <summary>
/// Where a <see cref="FlowKeyTable{TValue, TKeys}"/> finds the key of each slot: a copy it keeps beside the value,
/// or the value itself when the value already holds its key.
/// </summary>
/// <remarks>
/// Implemented by structs, so that the table's code is specialised for each store and its calls are inlined.
/// The interface and its stores are not generic over the value: shared generic code reaches a method of a struct
/// instantiated over a reference type through a run-time lookup and an indirect call, on every key compared.
/// Slots are the table's: the store only mirrors them, and is told of every slot that gains or moves a key.
/// </remarks>
public interface IFlowKeyStore
{
    /// <summary>Makes room for <paramref name="size"/> slots; called once, on a new store.</summary>
    void Allocate(int size);

    /// <summary>The key of <paramref name="slot"/>, which holds <paramref name="value"/>.</summary>
    ref readonly FlowKey KeyAt(int slot, object value);

    /// <summary>Records that <paramref name="slot"/> now holds <paramref name="key"/>.</summary>
    void Store(int slot, in FlowKey key);

    /// <summary>Records that the entry of <paramref name="fromSlot"/> moved to <paramref name="toSlot"/>.</summary>
    void Move(int fromSlot, int toSlot);
}
