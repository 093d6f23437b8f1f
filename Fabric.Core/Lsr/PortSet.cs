using Sdn.Common.Packets;

namespace Sdn.Fabric.Core.Lsr;

/// <summary>
/// The ports of a core node at one moment, with what its forwarding thread needs per port (an input burst, an
/// up flag, an egress plan), indexed by port index. Never changed: adding or removing a port makes a new set.
/// </summary>
internal sealed class PortSet
{
    public static readonly PortSet Empty = new([], []);

    private PortSet(CorePort?[] slots, PacketBurst[] inputs)
    {
        Slots = slots;
        Inputs = inputs;
        PortIsUp = new bool[slots.Length];
        Plan = new EgressPlan(slots.Length);
        Present = [.. slots.OfType<CorePort>()];
    }

    /// <summary>The port at each index; null for a free index.</summary>
    public CorePort?[] Slots { get; }

    /// <summary>Filled by the forwarding thread each round; only that thread touches them.</summary>
    public PacketBurst[] Inputs { get; }

    public bool[] PortIsUp { get; }

    public EgressPlan Plan { get; }

    public IReadOnlyList<CorePort> Present { get; }

    public PortSet With(CorePort port)
    {
        var length = Math.Max(Slots.Length, port.Index + 1);
        var slots = new CorePort?[length];
        var inputs = new PacketBurst[length];
        Array.Copy(Slots, slots, Slots.Length);
        Array.Copy(Inputs, inputs, Inputs.Length);
        slots[port.Index] = port;
        inputs[port.Index] = new PacketBurst(superFrames: port.Link.CarriesOffloads);
        for (var i = Inputs.Length; i < length; i++)
        {
            inputs[i] ??= new PacketBurst();
        }

        return new PortSet(slots, inputs);
    }

    public PortSet Without(CorePort port)
    {
        var slots = (CorePort?[])Slots.Clone();
        if (port.Index < slots.Length && slots[port.Index] == port)
        {
            slots[port.Index] = null;
        }

        return new PortSet(slots, Inputs);
    }
}
