using Sdn.Common.Packets;
using Sdn.Fabric.Edge.Pipeline;

namespace Sdn.Fabric.Edge.Tests.Support;

/// <summary>Flow keys of typical packets, for tests that work below frame parsing.</summary>
public static class Keys
{
    public const ulong MacA = 0x02_00_00_00_00_0A;
    public const ulong MacB = 0x02_00_00_00_00_0B;

    public static uint Ip(byte a, byte b, byte c, byte d) => (uint)((a << 24) | (b << 16) | (c << 8) | d);

    public static FlowKey Udp(uint inPort, uint src, uint dst, ushort srcPort = 1000, ushort dstPort = 2000, byte ttl = 64)
    {
        var key = default(FlowKey);
        key.InPort = inPort;
        key.EthSrc = MacA;
        key.EthDst = MacB;
        key.EthType = EtherTypes.Ipv4;
        key.IpProto = 17;
        key.IpTtl = ttl;
        key.Ipv4Src = src;
        key.Ipv4Dst = dst;
        key.L4Src = srcPort;
        key.L4Dst = dstPort;
        return key;
    }

    public static FlowKey ArpRequest(uint inPort, uint senderIp, uint targetIp)
    {
        var key = default(FlowKey);
        key.InPort = inPort;
        key.EthSrc = MacA;
        key.EthDst = 0xFFFF_FFFF_FFFF;
        key.EthType = EtherTypes.Arp;
        key.ArpOp = ArpOperations.Request;
        key.ArpSpa = senderIp;
        key.ArpTpa = targetIp;
        return key;
    }
}
