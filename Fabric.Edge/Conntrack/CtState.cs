namespace Sdn.Fabric.Edge.Conntrack;

/// <summary>
/// What the connection tracker says of a packet: OpenFlow's (Open vSwitch's) ct_state bits, with their values, so
/// that a match written for one reads the same here. A packet no lookup has seen has none set (-trk).
/// </summary>
[Flags]
public enum CtState : byte
{
    None = 0,

    /// <summary>The packet would open a connection, or its connection has not seen a reply yet.</summary>
    New = 0x01,

    /// <summary>Part of a connection that has seen packets both ways.</summary>
    Established = 0x02,

    /// <summary>An ICMP or ICMPv6 error about a tracked connection (it quotes one of its packets).</summary>
    Related = 0x04,

    /// <summary>Goes the other way from the packet that opened the connection.</summary>
    Reply = 0x08,

    /// <summary>Opens nothing and belongs to nothing: a TCP segment without SYN and no connection, an echo reply no one asked for, a later fragment.</summary>
    Invalid = 0x10,

    /// <summary>Set on every packet a lookup has seen.</summary>
    Tracked = 0x20,
}
