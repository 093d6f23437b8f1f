using Sdn.Common.Packets;
using Sdn.Fabric.Edge.Conntrack;
using Sdn.Fabric.Edge.Datapath;
using Sdn.Fabric.Edge.Nat;
using Sdn.Fabric.Edge.Pipeline;
using Sdn.Fabric.Edge.Tests.Support;

namespace Sdn.Fabric.Edge.Tests.Datapath;

/// <summary>
/// The NAT pieces together, in a hand-written gateway program of the shape docs/architecture.md plans for the
/// compiler: port 2 is the external network; ports 1 (a, 10.1.0.100) and 3 (b, 10.1.0.101, floating IP
/// 198.51.100.10) are a tenant's (zone 3). Outbound: SNAT to the gateway address with the reply way in the external
/// zone 9 (b: 1:1 to its floating IP), from the gateway's MAC to the outside router's, resolved by ARP. Inbound: to
/// the gateway address through ct(zone=9,nat,table=3), which recirculates to the port its connection names; to the
/// floating IP, DNAT to b.
/// </summary>
public class GatewayPipelineTests
{
    private const ushort TenantZone = 3;
    private const ushort ExternalZone = 9;
    private const uint A = NatAddresses.Inside;
    private const uint B = NatAddresses.Inside2;
    private const uint Server = 0x08_08_08_08;
    private const uint Router = 0xC6_33_64_01;
    private const uint GatewayAddress = NatAddresses.Gateway;
    private const uint Floating = 0xC6_33_64_0A;
    private const ulong MacA = 0x02_00_00_00_00_0A;
    private const ulong MacB = 0x02_00_00_00_00_0B;
    private const ulong TenantRouterMac = 0x02_5E_00_00_00_03;
    private const ulong GatewayMac = 0x02_5E_00_00_00_09;
    private const ulong RouterMac = 0x02_AA_00_00_00_01;

    [Fact]
    public void A_port_reaches_the_outside_from_the_gateway_address_and_the_answer_comes_back_to_it()
    {
        var rig = Gateway();

        rig.Send(1, Frames.Udp(A, Server, 40000, 53, ethSrc: MacA, ethDst: TenantRouterMac));
        Assert.Equal(Frames.Arp(ArpOperations.Request, GatewayMac, GatewayAddress, 0, Router, EthernetHeader.Broadcast), rig.SingleOut(2));
        rig.Send(2, Frames.Arp(ArpOperations.Reply, RouterMac, Router, GatewayMac, GatewayAddress, GatewayMac));
        rig.Send(1, Frames.Udp(A, Server, 40001, 53, ethSrc: MacA, ethDst: TenantRouterMac));
        rig.Send(2, Frames.Udp(Server, GatewayAddress, 53, 50001, ethSrc: RouterMac, ethDst: GatewayMac));

        Assert.Equal(Frames.Udp(GatewayAddress, Server, 50001, 53, ttl: 63, ethSrc: GatewayMac, ethDst: RouterMac), rig.SingleOut(2));
        Assert.Equal(Frames.Udp(Server, A, 53, 40001, ttl: 63, ethSrc: TenantRouterMac, ethDst: MacA), rig.SingleOut(1));
    }

    [Fact]
    public void The_outside_reaches_a_port_at_its_floating_address_and_the_port_answers_and_opens_from_it()
    {
        var rig = Gateway();
        rig.Send(2, Frames.Arp(ArpOperations.Reply, RouterMac, Router, GatewayMac, GatewayAddress, GatewayMac));

        rig.Send(2, Frames.Udp(Server, Floating, 41000, 22, ethSrc: RouterMac, ethDst: GatewayMac));
        Assert.Equal(Frames.Udp(Server, B, 41000, 22, ttl: 63, ethSrc: TenantRouterMac, ethDst: MacB), rig.SingleOut(3));
        rig.Send(3, Frames.Udp(B, Server, 22, 41000, ethSrc: MacB, ethDst: TenantRouterMac));
        rig.Send(3, Frames.Udp(B, Server, 5000, 123, ethSrc: MacB, ethDst: TenantRouterMac));

        var sent = rig.Port(2).TakeTransmitted();
        Assert.Equal(Frames.Udp(Floating, Server, 22, 41000, ttl: 63, ethSrc: GatewayMac, ethDst: RouterMac), sent[0]);
        Assert.Equal(Frames.Udp(Floating, Server, 5000, 123, ttl: 63, ethSrc: GatewayMac, ethDst: RouterMac), sent[1]);
    }

    [Fact]
    public void A_reply_to_the_gateway_address_that_no_connection_expects_reaches_no_port()
    {
        var rig = Gateway();

        rig.Send(2, Frames.Udp(Server, GatewayAddress, 53, 50000, ethSrc: RouterMac, ethDst: GatewayMac));

        Assert.Empty(rig.Port(1).TakeTransmitted());
        Assert.Empty(rig.Port(3).TakeTransmitted());
    }

    private static SwitchRig Gateway()
    {
        var rig = new SwitchRig();
        var pipeline = rig.Pipeline;
        var tenant = (ulong)TenantZone << 32;
        foreach (var port in new uint[] { 1, 3 })
        {
            pipeline.Apply(FlowEdit.Add(0, 10, FlowMatch.Any.InPort(port).EthType(EtherTypes.Ipv4), FlowInstructions.Goto(1).WithMetadata(tenant)));
        }

        pipeline.Apply(FlowEdit.Add(0, 10, FlowMatch.Any.InPort(2), FlowInstructions.Goto(2)));

        PipelineAction[] Out(params PipelineAction[] nat) =>
            [.. nat, PipelineAction.SetField(HeaderField.EthSrc, GatewayMac), PipelineAction.ResolveNeighbour(2, Router, GatewayAddress), PipelineAction.DecIpTtl(), PipelineAction.Output(2)];
        pipeline.Add(1, 20, FlowMatch.Any.Ipv4Src(B), Out(PipelineAction.Ct(TenantZone, commit: true, translation: new NatTranslation(NatSide.Source, Floating))));
        pipeline.Add(1, 10, FlowMatch.Any, Out(PipelineAction.Ct(TenantZone, commit: true, translation: new NatTranslation(NatSide.Source, GatewayAddress, 50000, 50009, ExternalZone))));

        pipeline.Add(2, 30, FlowMatch.Any.EthType(EtherTypes.Arp), PipelineAction.LearnNeighbour());
        pipeline.Add(
            2,
            20,
            FlowMatch.Any.EthType(EtherTypes.Ipv4).Ipv4Dst(Floating),
            PipelineAction.Ct(TenantZone, commit: true, translation: new NatTranslation(NatSide.Destination, B)),
            PipelineAction.SetField(HeaderField.EthSrc, TenantRouterMac),
            PipelineAction.SetField(HeaderField.EthDst, MacB),
            PipelineAction.DecIpTtl(),
            PipelineAction.Output(3));
        pipeline.Add(2, 20, FlowMatch.Any.EthType(EtherTypes.Ipv4).Ipv4Dst(GatewayAddress), PipelineAction.Ct(ExternalZone, table: 3, nat: true));

        var back = FlowMatch.Any.CtState(CtState.Tracked | CtState.Established).Register(0, TenantZone);
        foreach (var (address, mac, port) in new[] { (A, MacA, 1u), (B, MacB, 3u) })
        {
            pipeline.Add(
                3,
                10,
                back.Ipv4Dst(address),
                PipelineAction.SetField(HeaderField.EthSrc, TenantRouterMac),
                PipelineAction.SetField(HeaderField.EthDst, mac),
                PipelineAction.DecIpTtl(),
                PipelineAction.Output(port));
        }

        return rig;
    }
}
