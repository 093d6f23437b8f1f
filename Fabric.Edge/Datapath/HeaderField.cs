namespace Sdn.Fabric.Edge.Datapath;

/// <summary>A header field the datapath can rewrite in a frame.</summary>
public enum HeaderField : byte
{
    EthSrc,
    EthDst,
    VlanVid,
    VlanPcp,
    MplsLabel,
    MplsTc,
    MplsTtl,
    Ipv4Src,
    Ipv4Dst,
    IpDscp,
    IpTtl,
    L4Src,
    L4Dst,

    // IPv6 addresses are set a 64-bit half at a time, as the flow key holds them.
    Ipv6SrcHigh,
    Ipv6SrcLow,
    Ipv6DstHigh,
    Ipv6DstLow,
}
