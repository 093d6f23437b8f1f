using Sdn.Common.Packets;

namespace Sdn.Fabric.Edge.Datapath;

/// <summary>
/// An edge port that sends chosen frames of any burst where they lie. The switch hands it the frames it received
/// itself and outputs last, so a TCP super-frame crosses the switch without being copied into a burst of the port's own.
/// </summary>
public interface IFrameListPort : IEdgePort
{
    /// <summary>
    /// Takes the frames of <paramref name="burst"/> that <paramref name="frames"/> numbers, in that order, for sending;
    /// returns how many it accepted (the rest are dropped). May rewrite those frames in place, as
    /// <see cref="IEdgePort.Transmit"/> may.
    /// </summary>
    int Transmit(PacketBurst burst, ReadOnlySpan<byte> frames);
}
