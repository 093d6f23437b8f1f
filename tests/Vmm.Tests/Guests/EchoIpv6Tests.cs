using System.Buffers.Binary;
using System.Net;
using Sdn.Common.Packets;
using Sdn.Vmm.Guests;
using Sdn.Vmm.Machine;

namespace Sdn.Vmm.Tests.Guests;

public class EchoIpv6Tests
{
    private static readonly IPAddress EchoIpv6 = IPAddress.Parse("fd00::2");
    private static readonly UInt128 PeerIpv6 = Ipv6("fd00::1");
    private static readonly ulong PeerMac = EthernetHeader.ReadMac(NicInfo.LocalMac(1));
    private static readonly ulong EchoMac = EthernetHeader.ReadMac(NicInfo.LocalMac(2));
    private static readonly byte[] EchoPayload = [.. Enumerable.Range(0, 37).Select(i => (byte)(i * 7))];

    [KvmFact]
    public void Echo_answers_an_icmpv6_echo_request_to_its_address_with_a_reply_whose_checksum_verifies()
    {
        using var vm = new VirtualMachine(new VmOptions { Name = "echo6" });
        var peer = new NicPeer(vm.AddNic(new NicInfo(NicInfo.LocalMac(2), GuestPair.RightIp, 24, IPAddress.Any, new NicIpv6(EchoIpv6, 64, IPAddress.IPv6Any))));
        GuestPair.BootAndWaitUp(vm, GuestApp.Echo, []);

        peer.Send(EchoRequest(Ipv6("fd00::3"), sequence: 1)); // another address: no reply
        peer.Send(EchoRequest(Ipv6(EchoIpv6.ToString()), sequence: 2));

        var frame = peer.WaitFor(f => EthernetHeader.Parse(f, out var e) == ParseStatus.Ok && e.EtherType == EtherTypes.Ipv6, GuestPair.Timeout);
        Assert.True(frame is not null, $"no IPv6 frame came back: {vm.Serial.Log}");
        Assert.Single(peer.Received, f => EthernetHeader.Parse(f, out var e) == ParseStatus.Ok && e.EtherType == EtherTypes.Ipv6);
        EthernetHeader.Parse(frame, out var ethernet);
        Assert.Equal(PeerMac, ethernet.Destination);
        Assert.Equal(EchoMac, ethernet.Source);
        Assert.Equal(ParseStatus.Ok, Ipv6Header.Parse(ethernet.Payload, out var ip));
        Assert.Equal(Ipv6(EchoIpv6.ToString()), ip.Source);
        Assert.Equal(PeerIpv6, ip.Destination);
        Assert.Equal(IpProtocols.Icmpv6, ip.NextHeader);
        Assert.Equal(ParseStatus.Ok, IcmpHeader.Parse(ip.Payload, out var icmp));
        Assert.Equal(IcmpHeader.Icmpv6EchoReply, icmp.Type);
        Assert.Equal(0, icmp.Code);
        Assert.Equal(0x4242, icmp.Identifier);
        Assert.Equal(2, icmp.SequenceNumber);
        Assert.Equal(EchoPayload, icmp.Payload.ToArray());

        // The guest updated the request's checksum; recompute the reply's from scratch over its pseudo-header.
        var message = ip.Payload.ToArray();
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(IcmpHeader.ChecksumOffset), 0);
        var pseudoHeader = InternetChecksum.PseudoHeaderSum(ip.Source, ip.Destination, IpProtocols.Icmpv6, message.Length);
        Assert.Equal(InternetChecksum.Compute(message, pseudoHeader), icmp.Checksum);
    }

    private static byte[] EchoRequest(UInt128 destination, ushort sequence)
    {
        var frame = new byte[128];
        var builder = new FrameBuilder(frame);
        builder.Ethernet(EchoMac, PeerMac, EtherTypes.Ipv6);
        builder.Ipv6(PeerIpv6, destination, IpProtocols.Icmpv6);
        builder.IcmpEcho(IcmpHeader.Icmpv6EchoRequest, 0x4242, sequence);
        builder.Payload(EchoPayload);
        Assert.True(builder.TryFinish(out var length));
        return frame[..length];
    }

    private static UInt128 Ipv6(string address) => BinaryPrimitives.ReadUInt128BigEndian(IPAddress.Parse(address).GetAddressBytes());
}
