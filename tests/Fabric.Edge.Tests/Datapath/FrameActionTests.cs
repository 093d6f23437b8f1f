using Microsoft.Extensions.Time.Testing;
using Sdn.Common.Packets;
using Sdn.Fabric.Edge.Datapath;
using Sdn.Fabric.Edge.Pipeline;
using Sdn.Fabric.Edge.Pipeline.Groups;
using Sdn.Fabric.Edge.Tests.Support;

namespace Sdn.Fabric.Edge.Tests.Datapath;

/// <summary>Each action on real frames: the result must equal the frame built directly with the new values.</summary>
public class FrameActionTests
{
    private readonly SwitchRig _rig = new();

    [Fact]
    public void Output_forwards_the_frame_unchanged_and_ports_count_it()
    {
        _rig.WithActions(PipelineAction.Output(2)).Send(1, Frames.Udp());

        Assert.Equal(Frames.Udp(), _rig.SingleOut(2));
        Assert.Equal(1, _rig.Switch.Datapath.PortCounters(1)!.RxPackets);
        Assert.Equal(1, _rig.Switch.Datapath.PortCounters(2)!.TxPackets);
        Assert.Equal(Frames.Udp().Length, _rig.Switch.Datapath.PortCounters(2)!.TxBytes);
    }

    [Fact]
    public void Set_field_on_ethernet_ip_and_ports_fixes_every_checksum()
    {
        _rig.WithActions(
            PipelineAction.SetField(HeaderField.EthSrc, 0x02_11_11_11_11_11),
            PipelineAction.SetField(HeaderField.EthDst, 0x02_22_22_22_22_22),
            PipelineAction.SetField(HeaderField.Ipv4Src, 0xC0A8_0001),
            PipelineAction.SetField(HeaderField.Ipv4Dst, 0xC0A8_0002),
            PipelineAction.SetField(HeaderField.L4Src, 5353),
            PipelineAction.SetField(HeaderField.L4Dst, 53),
            PipelineAction.SetField(HeaderField.IpDscp, 46),
            PipelineAction.SetField(HeaderField.IpTtl, 9),
            PipelineAction.Output(2)).Send(1, Frames.Udp());

        var expected = Frames.Udp(0xC0A8_0001, 0xC0A8_0002, 5353, 53, ttl: 9, dscp: 46, ethSrc: 0x02_11_11_11_11_11, ethDst: 0x02_22_22_22_22_22);
        Assert.Equal(expected, _rig.SingleOut(2));
    }

    [Fact]
    public void Set_field_finds_the_ip_header_behind_a_vlan_tag_and_rewrites_the_tag()
    {
        _rig.WithActions(PipelineAction.SetField(HeaderField.Ipv4Dst, 0x0808_0808), PipelineAction.SetField(HeaderField.VlanVid, 7), PipelineAction.Output(2))
            .Send(1, Frames.Udp(vlan: 42));

        Assert.Equal(Frames.Udp(destination: 0x0808_0808, vlan: 7), _rig.SingleOut(2));
    }

    [Fact]
    public void Set_field_rewrites_ipv6_addresses_half_by_half_and_fixes_the_udp_checksum()
    {
        var (source, destination) = (new UInt128(0x2001_0DB8_0000_0001, 1), new UInt128(0x2001_0DB8_0000_0002, 2));
        var (newSource, newDestination) = (new UInt128(0xFD00_0000_0000_0009, 0xAB), new UInt128(0x2001_0DB8_0000_0002, 0xCD));
        _rig.WithActions(
            PipelineAction.SetField(HeaderField.Ipv6SrcHigh, (ulong)(newSource >> 64)),
            PipelineAction.SetField(HeaderField.Ipv6SrcLow, (ulong)newSource),
            PipelineAction.SetField(HeaderField.Ipv6DstLow, (ulong)newDestination),
            PipelineAction.Output(2)).Send(1, Frames.Udp6(source, destination));

        Assert.Equal(Frames.Udp6(newSource, newDestination), _rig.SingleOut(2));
    }

    [Fact]
    public void Set_field_fixes_the_tcp_checksum()
    {
        _rig.WithActions(PipelineAction.SetField(HeaderField.Ipv4Dst, 0x0808_0808), PipelineAction.SetField(HeaderField.L4Dst, 443), PipelineAction.Output(2))
            .Send(1, Frames.Tcp());

        Assert.Equal(Frames.Tcp(destination: 0x0808_0808, destinationPort: 443), _rig.SingleOut(2));
    }

    [Fact]
    public void Push_mpls_copies_the_ip_ttl_and_pop_mpls_restores_the_frame()
    {
        _rig.Pipeline.Add(0, 10, FlowMatch.Any.InPort(1), PipelineAction.PushMpls(), PipelineAction.SetMplsLabel(1234), PipelineAction.Output(2));
        _rig.Pipeline.Add(0, 10, FlowMatch.Any.InPort(3).MplsLabel(1234), PipelineAction.PopMpls(EtherTypes.Ipv4), PipelineAction.DecIpTtl(), PipelineAction.Output(4));

        _rig.Send(1, Frames.Udp(ttl: 64));
        var labelled = _rig.SingleOut(2);
        Assert.Equal(Frames.Udp(ttl: 64, mplsLabel: 1234), labelled);

        _rig.Send(3, labelled);
        Assert.Equal(Frames.Udp(ttl: 63), _rig.SingleOut(4));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Push_and_pop_mpls_behind_vlan_tags_move_the_whole_tagged_header(bool qinq)
    {
        _rig.Pipeline.Add(0, 10, FlowMatch.Any.InPort(1), PipelineAction.PushMpls(), PipelineAction.SetMplsLabel(77), PipelineAction.Output(2));
        _rig.Pipeline.Add(0, 10, FlowMatch.Any.InPort(3).MplsLabel(77), PipelineAction.PopMpls(EtherTypes.Ipv4), PipelineAction.Output(4));
        ushort? serviceVlan = qinq ? (ushort)300 : null;

        _rig.Send(1, Frames.Udp(vlan: 42, serviceVlan: serviceVlan));
        var labelled = _rig.SingleOut(2);
        Assert.Equal(Frames.Udp(vlan: 42, mplsLabel: 77, serviceVlan: serviceVlan), labelled);

        _rig.Send(3, labelled);
        Assert.Equal(Frames.Udp(vlan: 42, serviceVlan: serviceVlan), _rig.SingleOut(4));
    }

    [Fact]
    public void Mpls_tc_ttl_and_dec_mpls_ttl_rewrite_the_top_entry()
    {
        _rig.WithActions(PipelineAction.SetMplsTtl(7), PipelineAction.DecMplsTtl(), PipelineAction.SetMplsLabel(99), PipelineAction.Output(2)).Send(1, Frames.Udp(mplsLabel: 50));
        var frame = _rig.SingleOut(2);
        var entry = Common.Packets.MplsLabelStackEntry.Decode(System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(frame.AsSpan(14)));
        Assert.Equal(new Common.Packets.MplsLabelStackEntry(99, 0, true, 6), entry);
    }

    [Fact]
    public void Push_and_pop_vlan_add_and_remove_the_tag()
    {
        _rig.Pipeline.Add(0, 10, FlowMatch.Any.InPort(1), PipelineAction.PushVlan(), PipelineAction.SetField(HeaderField.VlanVid, 42), PipelineAction.Output(2));
        _rig.Pipeline.Add(0, 10, FlowMatch.Any.InPort(3).Vlan(42), PipelineAction.PopVlan(), PipelineAction.Output(4));

        _rig.Send(1, Frames.Udp());
        var tagged = _rig.SingleOut(2);
        Assert.Equal(Frames.Udp(vlan: 42), tagged);

        _rig.Send(3, tagged);
        Assert.Equal(Frames.Udp(), _rig.SingleOut(4));
    }

    [Fact]
    public void Dec_ttl_decrements_and_drops_and_counts_at_expiry()
    {
        _rig.WithActions(PipelineAction.DecIpTtl(), PipelineAction.Output(2));
        _rig.Send(1, Frames.Udp(ttl: 10));
        Assert.Equal(Frames.Udp(ttl: 9), _rig.SingleOut(2));

        _rig.Send(1, Frames.Udp(ttl: 1));
        Assert.Empty(_rig.Port(2).TakeTransmitted());
        Assert.Equal(1, _rig.Switch.Datapath.Counters.TtlExpired);

        _rig.Send(1, Frames.Udp6(1, 2, hopLimit: 5));
        Assert.Equal(Frames.Udp6(1, 2, hopLimit: 4), _rig.SingleOut(2));
    }

    [Fact]
    public void A_routers_rewrite_writes_both_addresses_and_the_ttl_and_keeps_the_checksum_right()
    {
        const ulong RouterMac = 0x02_11_11_11_11_11;
        const ulong HostMac = 0x02_22_22_22_22_22;
        _rig.WithActions(PipelineAction.SetField(HeaderField.EthSrc, RouterMac), PipelineAction.SetField(HeaderField.EthDst, HostMac), PipelineAction.DecIpTtl(), PipelineAction.Output(2));

        _rig.Send(1, Frames.Udp(ttl: 10));
        Assert.Equal(Frames.Udp(ttl: 9, ethSrc: RouterMac, ethDst: HostMac), _rig.SingleOut(2));
        Assert.Equal([DatapathActionKind.RouteHop, DatapathActionKind.Output], _rig.Switch.Trace(1, Frames.Udp(ttl: 10)).Actions.Select(a => a.Kind));

        var expected = Frames.Udp6(1, 2, hopLimit: 4);
        EthernetHeader.WriteMac(expected, HostMac);
        EthernetHeader.WriteMac(expected.AsSpan(6), RouterMac);
        _rig.Send(1, Frames.Udp6(1, 2, hopLimit: 5));
        Assert.Equal(expected, _rig.SingleOut(2));

        _rig.Send(1, Frames.Udp(ttl: 1));
        Assert.Empty(_rig.Port(2).TakeTransmitted());
        Assert.Equal(1, _rig.Switch.Datapath.Counters.TtlExpired);
    }

    [Fact]
    public void The_arp_responder_replies_out_of_the_ingress_port()
    {
        const ulong GatewayMac = 0x02_AA_00_00_00_01;
        const uint GatewayIp = 0x0A_00_00_FE;
        _rig.Pipeline.Add(0, 10, FlowMatch.Any.EthType(EtherTypes.Arp).ArpOp(ArpOperations.Request).ArpTpa(GatewayIp), PipelineAction.ArpResponder(GatewayMac));

        _rig.Send(3, Frames.Arp(ArpOperations.Request, Keys.MacA, Frames.SourceIp, 0, GatewayIp, ethDst: 0xFFFF_FFFF_FFFF));

        Assert.Equal(Frames.Arp(ArpOperations.Reply, GatewayMac, GatewayIp, Keys.MacA, Frames.SourceIp, ethDst: Keys.MacA), _rig.SingleOut(3));
    }

    [Fact]
    public void Mirror_sends_the_frame_as_it_arrived()
    {
        _rig.WithActions(PipelineAction.SetField(HeaderField.L4Dst, 9), PipelineAction.Output(2), PipelineAction.Mirror(4)).Send(1, Frames.Udp());

        Assert.Equal(Frames.Udp(destinationPort: 9), _rig.SingleOut(2));
        Assert.Equal(Frames.Udp(), _rig.SingleOut(4));
    }

    [Fact]
    public void Each_bucket_of_an_all_group_rewrites_its_own_copy()
    {
        _rig.Pipeline.Groups.Add(new GroupEntry(1, GroupKind.All,
        [
            new GroupBucket(1, [PipelineAction.PushMpls(), PipelineAction.SetMplsLabel(77), PipelineAction.Output(2)]),
            new GroupBucket(2, [PipelineAction.Output(3)]),
        ]));
        _rig.WithActions(PipelineAction.Group(1), PipelineAction.Output(4)).Send(1, Frames.Udp());

        Assert.Equal(Frames.Udp(mplsLabel: 77), _rig.SingleOut(2));
        Assert.Equal(Frames.Udp(), _rig.SingleOut(3));
        Assert.Equal(Frames.Udp(), _rig.SingleOut(4));
    }

    [Fact]
    public void An_all_group_last_in_the_list_still_gives_each_bucket_the_frame_as_it_came()
    {
        _rig.Pipeline.Groups.Add(new GroupEntry(1, GroupKind.All,
        [
            new GroupBucket(1, [PipelineAction.PushMpls(), PipelineAction.SetMplsLabel(77), PipelineAction.Output(2)]),
            new GroupBucket(2, [PipelineAction.SetField(HeaderField.L4Dst, 9), PipelineAction.Output(3)]),
            new GroupBucket(3, [PipelineAction.Output(4)]),
        ]));
        _rig.WithActions(PipelineAction.Group(1)).Send(1, Frames.Udp());

        Assert.Equal(Frames.Udp(mplsLabel: 77), _rig.SingleOut(2));
        Assert.Equal(Frames.Udp(destinationPort: 9), _rig.SingleOut(3));
        Assert.Equal(Frames.Udp(), _rig.SingleOut(4));
    }

    [Fact]
    public void Controller_punts_are_rate_limited_and_counted()
    {
        var clock = new FakeTimeProvider();
        var rig = new SwitchRig(clock);
        rig.Pipeline.SetTableMiss(0, FlowInstructions.Apply(PipelineAction.Controller()));
        for (var i = 0; i < 150; i++)
        {
            rig.Port(1).Inject(Frames.Udp());
        }

        while (rig.Switch.Poll() > 0)
        {
        }

        var punts = rig.Switch.Datapath.Punts;
        Assert.Equal((100, 50), (punts.Accepted, punts.RateLimited));
        Assert.True(punts.TryTake(out var packet));
        Assert.Equal((1u, (byte)PacketInReason.NoMatch), (packet.InPort, packet.Reason));
        Assert.Equal(Frames.Udp(), packet.Frame);

        clock.Advance(TimeSpan.FromSeconds(1));
        rig.Send(1, Frames.Udp());
        Assert.Equal(101, punts.Accepted);
    }
}
