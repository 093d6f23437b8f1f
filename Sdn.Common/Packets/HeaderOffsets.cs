namespace Sdn.Common.Packets;

/// <summary>
/// Where each header of a frame starts, in bytes from the start of the frame, as
/// <see cref="FlowKeyExtractor"/> found them; <see cref="Absent"/> for a header the frame does not have
/// (or that lies past the point where parsing stopped). Actions use these to rewrite fields in place and
/// fix checksums without parsing the frame again. The Ethernet header always starts at 0.
/// </summary>
public struct HeaderOffsets
{
    public const int Absent = -1;

    public static HeaderOffsets None => new()
    {
        OuterVlan = Absent,
        Vlan = Absent,
        EtherType = Absent,
        Mpls = Absent,
        Network = Absent,
        Transport = Absent,
        Payload = Absent,
    };

    /// <summary>The TCI of the outer tag of a QinQ frame; its tag protocol identifier is the 2 bytes before.</summary>
    public int OuterVlan { get; set; }

    /// <summary>The TCI of the (inner, or only) 802.1Q tag; its tag protocol identifier is the 2 bytes before.</summary>
    public int Vlan { get; set; }

    /// <summary>The EtherType field that names the network protocol (or MPLS), after any tags.</summary>
    public int EtherType { get; set; }

    /// <summary>The top label stack entry.</summary>
    public int Mpls { get; set; }

    /// <summary>The IPv4, IPv6 or ARP header.</summary>
    public int Network { get; set; }

    /// <summary>The TCP, UDP or ICMP header, after any IPv6 extension headers.</summary>
    public int Transport { get; set; }

    /// <summary>What follows the transport header, or, in an MPLS frame, the bottom of the label stack.</summary>
    public int Payload { get; set; }
}
