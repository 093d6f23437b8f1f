namespace Sdn.Fabric.Edge.Conntrack;

/// <summary>What the tracker makes of a packet before it looks for its connection.</summary>
internal enum ConnectionPacketKind : byte
{
    /// <summary>Not IP, truncated, or a later fragment: it carries no tuple.</summary>
    Invalid,

    Tcp,

    Udp,

    /// <summary>An ICMP or ICMPv6 echo request: it may open an exchange.</summary>
    IcmpEchoRequest,

    /// <summary>An ICMP or ICMPv6 echo reply: it only ever answers one.</summary>
    IcmpEchoReply,

    /// <summary>An ICMP or ICMPv6 error; its tuple is the one of the packet it quotes.</summary>
    IcmpError,

    /// <summary>Any other IP protocol, tracked by addresses alone.</summary>
    Other,
}
