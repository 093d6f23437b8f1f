using System.Buffers.Binary;
using System.Net;
using Sdn.Common.Packets;
using Sdn.Vmm.Guests;
using Sdn.Vmm.Machine;

namespace Sdn.Vmm.Tests.Guests;

/// <summary>
/// Ping on 10.0.0.1/24 with gateway 10.0.0.254 against a peer that answers every ARP request with its own MAC and every
/// echo request sent to that MAC: what ping asked ARP for, and where it sent its requests.
/// </summary>
public class PingNextHopTests
{
    private const int Count = 3;
    private static readonly IPAddress Gateway = IPAddress.Parse("10.0.0.254");
    private static readonly ulong PeerMac = EthernetHeader.ReadMac(NicInfo.LocalMac(0xFE));

    [KvmFact]
    public void Ping_to_an_off_subnet_target_resolves_the_gateway_and_gets_every_reply_through_it() =>
        PingAndCheckNextHop(IPAddress.Parse("10.0.1.2"), expectedNextHop: Gateway);

    [KvmFact]
    public void Ping_to_an_on_subnet_target_resolves_the_target_itself_though_there_is_a_gateway() =>
        PingAndCheckNextHop(GuestPair.RightIp, expectedNextHop: GuestPair.RightIp);

    private static void PingAndCheckNextHop(IPAddress target, IPAddress expectedNextHop)
    {
        using var vm = new VirtualMachine(new VmOptions { Name = "ping" });
        var peer = new NicPeer(vm.AddNic(new NicInfo(NicInfo.LocalMac(1), GuestPair.LeftIp, 24, Gateway)), AnswerAsNextHop);
        vm.Boot(MicroGuest.Build(GuestApp.Ping), GuestApp.Ping, MicroGuest.PingParameters(target, Count, intervalMicroseconds: 1000));

        Assert.True(vm.WaitForExit(GuestPair.Timeout), vm.Serial.Log);
        Assert.True(vm.State == VmState.Exited, $"{vm.Fault}\n{vm.Serial.Log}");
        Assert.Equal((ulong)Count, vm.LastReport(ReportKey.PingReplies));

        var arpTargets = new List<uint>();
        var echoes = 0;
        foreach (var frame in peer.Received)
        {
            EthernetHeader.Parse(frame, out var ethernet);
            if (ethernet.EtherType == EtherTypes.Arp)
            {
                ArpPacket.Parse(ethernet.Payload, out var arp);
                arpTargets.Add(arp.TargetProtocolAddress);
                continue;
            }

            Assert.Equal(ParseStatus.Ok, Ipv4Header.Parse(ethernet.Payload, out var ip));
            Assert.Equal(PeerMac, ethernet.Destination);
            Assert.Equal(Ipv4(target), ip.Destination);
            echoes++;
        }

        Assert.NotEmpty(arpTargets);
        Assert.All(arpTargets, address => Assert.Equal(Ipv4(expectedNextHop), address));
        Assert.Equal(Count, echoes);
    }

    /// <summary>Answers an ARP request as whoever was asked for, and an ICMP echo request as its destination, from <see cref="PeerMac"/>.</summary>
    private static byte[]? AnswerAsNextHop(byte[] frame)
    {
        var reply = new byte[PacketBurst.MaxFrameLength];
        var builder = new FrameBuilder(reply);
        EthernetHeader.Parse(frame, out var ethernet);
        if (ethernet.EtherType == EtherTypes.Arp && ArpPacket.Parse(ethernet.Payload, out var arp) == ParseStatus.Ok && arp.Operation == ArpPacket.Request)
        {
            builder.Ethernet(arp.SenderHardwareAddress, PeerMac, EtherTypes.Arp);
            builder.Arp(ArpPacket.Reply, PeerMac, arp.TargetProtocolAddress, arp.SenderHardwareAddress, arp.SenderProtocolAddress);
        }
        else if (ethernet.EtherType == EtherTypes.Ipv4 && ethernet.Destination == PeerMac
            && Ipv4Header.Parse(ethernet.Payload, out var ip) == ParseStatus.Ok && ip.Protocol == IpProtocols.Icmp
            && IcmpHeader.Parse(ip.Payload, out var icmp) == ParseStatus.Ok && icmp.Type == IcmpHeader.EchoRequest)
        {
            builder.Ethernet(ethernet.Source, PeerMac, EtherTypes.Ipv4);
            builder.Ipv4(ip.Destination, ip.Source, IpProtocols.Icmp);
            builder.IcmpEcho(IcmpHeader.EchoReply, icmp.Identifier, icmp.SequenceNumber);
            builder.Payload(icmp.Payload);
        }
        else
        {
            return null;
        }

        Assert.True(builder.TryFinish(out var length));
        return reply[..length];
    }

    private static uint Ipv4(IPAddress address) => BinaryPrimitives.ReadUInt32BigEndian(address.GetAddressBytes());
}
