using System.Net;
using Sdn.Common.Packets;
using Sdn.Vmm.Guests;
using Sdn.Vmm.Machine;

namespace Sdn.Vmm.Tests.Guests;

public class EchoIpv4ReplyTests
{
    private const byte ArrivingTtl = 5;
    private static readonly ulong PeerMac = EthernetHeader.ReadMac(NicInfo.LocalMac(1));
    private static readonly ulong EchoMac = EthernetHeader.ReadMac(NicInfo.LocalMac(2));

    [KvmFact]
    public void Echo_answers_with_a_ttl_of_its_own_and_a_header_checksum_that_verifies()
    {
        using var vm = new VirtualMachine(new VmOptions { Name = "echo4" });
        var peer = new NicPeer(vm.AddNic(new NicInfo(NicInfo.LocalMac(2), GuestPair.RightIp, 24, IPAddress.Any)));
        GuestPair.BootAndWaitUp(vm, GuestApp.Echo, []);

        peer.Send(EchoRequest());

        var frame = peer.WaitFor(f => EthernetHeader.Parse(f, out var e) == ParseStatus.Ok && e.EtherType == EtherTypes.Ipv4, GuestPair.Timeout);
        Assert.True(frame is not null, $"no IPv4 frame came back: {vm.Serial.Log}");
        EthernetHeader.Parse(frame, out var ethernet);
        Assert.Equal(ParseStatus.Ok, Ipv4Header.Parse(ethernet.Payload, out var ip));
        Assert.Equal(64, ip.Ttl);
        Assert.True(InternetChecksum.Verify(ethernet.Payload[..ip.HeaderLength]));
        Assert.Equal(ParseStatus.Ok, IcmpHeader.Parse(ip.Payload, out var icmp));
        Assert.Equal(IcmpHeader.EchoReply, icmp.Type);
    }

    private static byte[] EchoRequest()
    {
        var frame = new byte[128];
        var builder = new FrameBuilder(frame);
        builder.Ethernet(EchoMac, PeerMac, EtherTypes.Ipv4);
        builder.Ipv4(Traffic.Ip(GuestPair.LeftIp.ToString()), Traffic.Ip(GuestPair.RightIp.ToString()), IpProtocols.Icmp, ArrivingTtl);
        builder.IcmpEcho(IcmpHeader.EchoRequest, 0x4242, 1);
        builder.Payload("ttl"u8);
        Assert.True(builder.TryFinish(out var length));
        return frame[..length];
    }
}
