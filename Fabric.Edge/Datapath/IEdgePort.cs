using Sdn.Common.Packets;
using Sdn.Common.Polling;

namespace Sdn.Fabric.Edge.Datapath;

/// <summary>
/// Anything that attaches to the switch and moves frames a burst at a time: a vNIC's virtio rings, an
/// uplink's link, a TAP device, an internal port.
/// </summary>
/// <remarks>
/// Both calls are made once per burst from the switch's thread, never per packet. A port copies what it
/// keeps: the burst is reused as soon as the call returns. Transmit may rewrite the frames in place (an uplink
/// turns them into its link's form), so the caller must be done with them.
/// </remarks>
public interface IEdgePort
{
    /// <summary>The OpenFlow port number; unique in the switch, below <see cref="EdgeDatapath.MaxPorts"/>.</summary>
    uint Number { get; }

    string Name { get; }

    /// <summary>
    /// Whether the port takes frames with their <see cref="FrameOffload"/> still to do, TCP super-frames included;
    /// the switch finishes the work in software for a port that does not. Read once, when the port is added.
    /// </summary>
    bool TakesOffloads => false;

    /// <summary>Has whatever fills the port wake <paramref name="doorbell"/> when frames arrive, so the switch thread may park; null stops it.</summary>
    void WakeOnArrival(Doorbell? doorbell)
    {
    }

    /// <summary>
    /// When the port next needs a <see cref="Receive"/> although nothing arrived (a timer of its own, as a liveness
    /// hello), as a <see cref="System.Diagnostics.Stopwatch"/> timestamp; <see cref="long.MaxValue"/> for never.
    /// </summary>
    long NextTimerDue => long.MaxValue;

    /// <summary>Appends up to the burst's free space of received frames; returns how many it added.</summary>
    int Receive(PacketBurst burst);

    /// <summary>Takes the frames of <paramref name="burst"/> for sending; returns how many it accepted (the rest are dropped).</summary>
    int Transmit(PacketBurst burst);
}
