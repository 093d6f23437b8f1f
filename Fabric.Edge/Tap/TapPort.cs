using Sdn.Common.Packets;
using Sdn.Common.Polling;
using Sdn.Fabric.Edge.Datapath;

namespace Sdn.Fabric.Edge.Tap;

/// <summary>An edge port onto a TAP device, through which a Linux network namespace joins the switch.</summary>
public sealed class TapPort(uint number, TapDevice device) : IFrameListPort
{
    public uint Number { get; } = number;

    public string Name => Device.Name;

    public TapDevice Device { get; } = device ?? throw new ArgumentNullException(nameof(device));

    // After Device, so that a null device is refused by name before it is read here.
    private readonly WatchedDescriptor _arrivals = new(device.FileDescriptor);

    public bool TakesOffloads => Device.HasOffloads;

    /// <summary>The kernel fills a TAP, so the doorbell watches its file descriptor.</summary>
    public void WakeOnArrival(Doorbell? doorbell) => _arrivals.WakeOn(doorbell);

    public int Receive(PacketBurst burst) => _arrivals.TakeFoundQuiet() ? 0 : Device.ReceiveBurst(burst);

    public int Transmit(PacketBurst burst) => Device.SendBurst(burst);

    public int Transmit(PacketBurst burst, ReadOnlySpan<byte> frames) => Device.SendBurst(burst, frames);
}
