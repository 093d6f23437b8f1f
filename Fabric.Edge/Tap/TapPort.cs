using Sdn.Fabric.Core.Packets;
using Sdn.Fabric.Edge.Datapath;

namespace Sdn.Fabric.Edge.Tap;

/// <summary>An edge port onto a TAP device, through which a Linux network namespace joins the switch.</summary>
public sealed class TapPort(uint number, TapDevice device) : IEdgePort
{
    public uint Number { get; } = number;

    public string Name => Device.Name;

    public TapDevice Device { get; } = device ?? throw new ArgumentNullException(nameof(device));

    public bool TakesOffloads => Device.HasOffloads;

    public int Receive(PacketBurst burst) => Device.ReceiveBurst(burst);

    public int Transmit(PacketBurst burst) => Device.SendBurst(burst);
}
