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
}
