using Sdn.Common.Packets;

namespace Sdn.Fabric.Edge.Tests.Support;

/// <summary>Plays a neighbour of a real Linux stack in tests: answers its ARP requests and ICMP echo requests.</summary>
public static class EchoResponder
{
    /// <summary>Answers an ARP request for <paramref name="responderIp"/> or an ICMP echo request to it from <paramref name="hostIp"/>; true for an echo.</summary>
    public static bool Answer(ReadOnlySpan<byte> frame, PacketBurst replies, uint responderIp, ulong responderMac, uint hostIp)
    {
        if (!FlowKeyExtractor.Extract(frame, 0, out var key, out var offsets).IsOk)
        {
            return false;
        }

        var reply = replies.Append(PacketBurst.MaxFrameLength);
        var builder = new FrameBuilder(reply);
        var isEcho = false;
        if (key.EthType == EtherTypes.Arp && key.ArpOp == ArpPacket.Request && key.ArpTpa == responderIp)
        {
            builder.Ethernet(key.EthSrc, responderMac, EtherTypes.Arp);
            builder.Arp(ArpPacket.Reply, responderMac, responderIp, key.EthSrc, hostIp);
        }
        else if (key.EthType == EtherTypes.Ipv4 && key.IpProto == IpProtocols.Icmp && key.IcmpType == IcmpHeader.EchoRequest && key.Ipv4Dst == responderIp)
        {
            IcmpHeader.Parse(frame[offsets.Transport..], out var echo);
            builder.Ethernet(key.EthSrc, responderMac, EtherTypes.Ipv4);
            builder.Ipv4(responderIp, hostIp, IpProtocols.Icmp);
            builder.IcmpEcho(IcmpHeader.EchoReply, echo.Identifier, echo.SequenceNumber);
            builder.Payload(echo.Payload);
            isEcho = true;
        }
        else
        {
            replies.DropLast();
            return false;
        }

        Assert.True(builder.TryFinish(out var length));
        replies.TrySetLength(replies.Count - 1, length);
        return isEcho;
    }
}
