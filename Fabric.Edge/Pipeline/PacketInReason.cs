namespace Sdn.Fabric.Edge.Pipeline;

/// <summary>Why a packet was sent to the controller (OpenFlow's ofp_packet_in_reason).</summary>
public enum PacketInReason : byte
{
    /// <summary>The table-miss entry sent it.</summary>
    NoMatch,

    /// <summary>A controller action sent it.</summary>
    Action,
}
