namespace Sdn.Common.Capture;

/// <summary>The tcpdump.org LINKTYPE_ values of the ports Sdn captures.</summary>
public enum LinkType : ushort
{
    /// <summary>Ethernet II frames: vNICs, TAP ports and edge uplinks.</summary>
    Ethernet = 1,

    /// <summary>Raw IPv4/IPv6 packets with no link-layer header.</summary>
    Raw = 101,
}
