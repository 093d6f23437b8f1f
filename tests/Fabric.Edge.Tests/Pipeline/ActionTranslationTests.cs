using Sdn.Common.Packets;
using Sdn.Contracts.Southbound;
using Sdn.Fabric.Edge.Datapath;
using Sdn.Fabric.Edge.Pipeline;
using Sdn.Fabric.Edge.Tests.Support;

namespace Sdn.Fabric.Edge.Tests.Pipeline;

/// <summary>What each action compiles to, and how it changes what later tables see.</summary>
public class ActionTranslationTests
{
    private const ulong RouterMac = 0x02_AA_00_00_00_01;

    private readonly EdgePipeline _pipeline = new(3, TimeProvider.System);

    [Fact]
    public void Output_to_the_ingress_port_needs_in_port()
    {
        Assert.Equal("", Compile(Keys.Udp(2, 1, 2), PipelineAction.Output(2)));
        Assert.Equal("output:2", Compile(Keys.Udp(2, 1, 2), PipelineAction.Output(PortNumbers.InPort)));
    }

    [Fact]
    public void Controller_reports_no_match_from_the_table_miss_entry_and_action_otherwise()
    {
        _pipeline.SetTableMiss(1, FlowInstructions.Apply(PipelineAction.Controller()));
        _pipeline.Apply(FlowEdit.Add(0, 5, FlowMatch.Any, FlowInstructions.Goto(1)));
        Assert.Equal($"punt(reason={(int)PacketInReason.NoMatch})", string.Join(",", _pipeline.Translate(Keys.Udp(1, 1, 2), out _).Actions));
        Assert.Equal($"punt(reason={(int)PacketInReason.Action})", Compile(Keys.Udp(1, 1, 2), PipelineAction.Controller()));
    }

    [Fact]
    public void Mpls_push_set_and_pop_change_what_the_next_table_matches()
    {
        _pipeline.Apply(FlowEdit.Add(0, 10, FlowMatch.Any, FlowInstructions.Goto(1, PipelineAction.PushMpls(), PipelineAction.SetMplsLabel(100), PipelineAction.SetMplsTc(3))));
        _pipeline.Apply(FlowEdit.Add(1, 10, FlowMatch.Any.EthType(EtherTypes.MplsUnicast).MplsLabel(100).MplsTc(3).MplsBos(true).With(FlowField.MplsTtl, 64),
            FlowInstructions.Goto(2, PipelineAction.DecMplsTtl(), PipelineAction.PopMpls(EtherTypes.Ipv4))));
        _pipeline.Add(2, 10, FlowMatch.Any.EthType(EtherTypes.Ipv4).With(FlowField.MplsDepth, 0), PipelineAction.Output(9));

        var trace = _pipeline.Trace(Keys.Udp(1, 1, 2, ttl: 64));
        Assert.Equal([9u], trace.Outputs);
        Assert.Equal("PushMpls(0x8847,label=100),set(MplsTc=0x3),DecMplsTtl,PopMpls(0x0800),output:9", string.Join(",", trace.Actions));
    }

    [Fact]
    public void Dec_ttl_at_one_expires_and_stops_the_packet()
    {
        Assert.Equal("DecIpTtl,output:3", Compile(Keys.Udp(1, 1, 2, ttl: 2), PipelineAction.DecIpTtl(), PipelineAction.Output(3)));
        Assert.Equal("DecIpTtl", Compile(Keys.Udp(1, 1, 2, ttl: 1), PipelineAction.DecIpTtl(), PipelineAction.Output(3)));
        Assert.Equal("output:3", Compile(Keys.Udp(1, 1, 2), PipelineAction.DecMplsTtl(), PipelineAction.Output(3)));
    }

    [Fact]
    public void A_routers_rewrite_compiles_to_one_action_and_the_trace_still_shows_its_three()
    {
        PipelineAction[] rewrite = [PipelineAction.SetField(HeaderField.EthSrc, RouterMac), PipelineAction.SetField(HeaderField.EthDst, Keys.MacB), PipelineAction.DecIpTtl()];
        _pipeline.Add(0, 10, FlowMatch.Any, [.. rewrite, PipelineAction.Output(3)]);

        var trace = _pipeline.Trace(Keys.Udp(1, 1, 2));
        Assert.Equal($"RouteHop(src=0x{RouterMac:x12},dst=0x{Keys.MacB:x12}),output:3", string.Join(",", trace.Actions));
        Assert.Equal([.. rewrite, PipelineAction.Output(3)], trace.Steps[0].Entry!.Instructions.ApplyActions);

        var expiring = _pipeline.Trace(Keys.Udp(1, 1, 2, ttl: 1));
        Assert.Equal($"RouteHop(src=0x{RouterMac:x12},dst=0x{Keys.MacB:x12})", string.Join(",", expiring.Actions));
        Assert.Contains(expiring.Notes, n => n.Contains("TTL 1 expires", StringComparison.Ordinal));
    }

    [Fact]
    public void Ethernet_address_sets_fuse_only_when_adjacent_and_of_both_addresses()
    {
        var both = $"SetEthAddresses(src=0x{RouterMac:x12},dst=0x{Keys.MacB:x12})";
        Assert.Equal(both + ",output:3", Compile(Keys.ArpRequest(1, 1, 2),
            PipelineAction.SetField(HeaderField.EthDst, Keys.MacB), PipelineAction.SetField(HeaderField.EthSrc, RouterMac), PipelineAction.DecIpTtl(), PipelineAction.Output(3)));
        Assert.Equal($"set(EthSrc=0x{RouterMac:x}),set(EthSrc=0x{Keys.MacB:x}),DecIpTtl,output:3", Compile(Keys.Udp(1, 1, 2),
            PipelineAction.SetField(HeaderField.EthSrc, RouterMac), PipelineAction.SetField(HeaderField.EthSrc, Keys.MacB), PipelineAction.DecIpTtl(), PipelineAction.Output(3)));
        Assert.Equal($"set(EthSrc=0x{RouterMac:x}),set(Ipv4Dst=0x7),set(EthDst=0x{Keys.MacB:x}),output:3", Compile(Keys.Udp(1, 1, 2),
            PipelineAction.SetField(HeaderField.EthSrc, RouterMac), PipelineAction.SetField(HeaderField.Ipv4Dst, 7), PipelineAction.SetField(HeaderField.EthDst, Keys.MacB), PipelineAction.Output(3)));
    }

    [Fact]
    public void Vlan_push_set_and_pop_track_the_tags()
    {
        _pipeline.Apply(FlowEdit.Add(0, 10, FlowMatch.Any, FlowInstructions.Goto(1, PipelineAction.PushVlan(), PipelineAction.SetField(HeaderField.VlanVid, 42))));
        _pipeline.Apply(FlowEdit.Add(1, 10, FlowMatch.Any.Vlan(42), FlowInstructions.Goto(2, PipelineAction.PopVlan())));
        _pipeline.Add(2, 10, FlowMatch.Any.NoVlan(), PipelineAction.Output(5));

        Assert.Equal([5u], _pipeline.OutputsOf(Keys.Udp(1, 1, 2)));
    }

    [Fact]
    public void Set_field_rewrites_what_later_tables_see()
    {
        _pipeline.Apply(FlowEdit.Add(0, 10, FlowMatch.Any, FlowInstructions.Goto(1,
            PipelineAction.SetField(HeaderField.EthDst, Keys.MacA), PipelineAction.SetField(HeaderField.Ipv4Dst, 77), PipelineAction.SetField(HeaderField.L4Dst, 8080),
            PipelineAction.SetField(HeaderField.IpDscp, 10))));
        _pipeline.Add(1, 10, FlowMatch.Any.EthDst(Keys.MacA).Ipv4Dst(77).L4Dst(8080).IpDscp(10), PipelineAction.Output(5));

        Assert.Equal([5u], _pipeline.OutputsOf(Keys.Udp(1, 1, 2)));
    }

    [Fact]
    public void The_arp_responder_answers_requests_out_of_the_ingress_port_and_ignores_the_rest()
    {
        Assert.Equal($"arp_reply(0x{RouterMac:x12}),output:4", Compile(Keys.ArpRequest(4, 1, 2), PipelineAction.ArpResponder(RouterMac)));
        Assert.Equal("", Compile(Keys.Udp(4, 1, 2), PipelineAction.ArpResponder(RouterMac)));
    }

    [Fact]
    public void The_nd_responder_answers_solicitations_for_its_target_only_and_unwildcards_it()
    {
        var target = new UInt128(0xFD00_0000_0000_0000, 1);
        var solicitation = new FlowKey { InPort = 4, EthType = EtherTypes.Ipv6, IpProto = IpProtocols.Icmpv6, IcmpType = NeighborMessage.Solicitation, NdTarget = target };
        _pipeline.Add(0, 10, FlowMatch.Any, PipelineAction.NdResponder(target, RouterMac, router: true));

        var flow = _pipeline.Translate(solicitation, out var mask);

        Assert.Equal($"nd_reply(0x{RouterMac:x12},router),output:4", flow.ToString());
        Assert.Equal(UInt128.MaxValue, mask.NdTarget);
        Assert.Equal(UInt128.Zero, mask.Ipv6Src);
        Assert.Equal("", _pipeline.Translate(solicitation with { NdTarget = target + 1 }, out _).ToString());
        Assert.Equal("", _pipeline.Translate(solicitation with { IcmpType = NeighborMessage.Advertisement }, out _).ToString());
    }

    [Fact]
    public void Mirror_copies_the_packet_before_any_rewrite()
    {
        Assert.Equal("output:9,set(Ipv4Dst=0x5),output:3",
            Compile(Keys.Udp(1, 1, 2), PipelineAction.SetField(HeaderField.Ipv4Dst, 5), PipelineAction.Mirror(9), PipelineAction.Output(3)));
    }

    [Fact]
    public void Drop_stops_the_actions_that_follow()
    {
        Assert.Equal("output:2", Compile(Keys.Udp(1, 1, 2), PipelineAction.Output(2), PipelineAction.Drop(), PipelineAction.Output(3)));
    }

    [Fact]
    public void The_megaflow_mask_holds_only_what_the_decision_read()
    {
        _pipeline.Add(0, 10, FlowMatch.Any.Ipv4Dst(Keys.Ip(10, 0, 0, 0), 8), PipelineAction.Output(2));
        _pipeline.Translate(Keys.Udp(1, 1, Keys.Ip(10, 1, 1, 1)), out var mask);

        // The recirculation point is read by every decision: a recirculated packet's differs from an arrived one's.
        var expected = FlowMatch.Any.InPort(0).Ipv4Dst(0, 8).Register(EdgeDatapath.RecirculationRegister, 0).Mask;
        Assert.Equal(expected, mask);
    }

    [Fact]
    public void Trace_reports_tables_entries_actions_outputs_and_the_cache()
    {
        var edge = new EdgeSwitch(2);
        edge.Pipeline.Apply(FlowEdit.Add(0, 7, FlowMatch.Any.InPort(1), FlowInstructions.Goto(1)));
        edge.Pipeline.Add(1, 9, FlowMatch.Any.L4Dst(2000), PipelineAction.PushMpls(), PipelineAction.SetMplsLabel(16), PipelineAction.Output(2));
        var key = Keys.Udp(1, 1, 2);

        var trace = edge.Trace(key);
        Assert.Equal([(0, 7), (1, 9)], trace.Steps.Select(s => ((int)s.TableId, s.Entry!.Priority)));
        Assert.Equal("in_port=0x1", trace.Steps[0].Entry!.Match.ToString());
        Assert.Equal([2u], trace.Outputs);
        Assert.Equal(CacheTier.Miss, trace.CacheWouldHit);
        Assert.Contains("table 1: priority 9 match l4_dst=0x7d0 -> apply(PushMpls:0x8847,set_field:MplsLabel=0x10,output:2)", trace.ToString(), StringComparison.Ordinal);
        Assert.Equal(0, edge.Pipeline.Tables[1].FindStrict(FlowMatch.Any.L4Dst(2000), 9)!.Counters.Packets);

        edge.Datapath.Classify(key);
        Assert.Equal(CacheTier.ExactMatch, edge.Trace(key).CacheWouldHit);
        var sibling = key;
        sibling.L4Src = 4242;
        Assert.Equal(CacheTier.Megaflow, edge.Trace(sibling).CacheWouldHit);
        Assert.Equal(1, edge.Datapath.Cache.Misses);
    }

    private string Compile(FlowKey key, params PipelineAction[] actions)
    {
        _pipeline.Add(0, 10, FlowMatch.Any, actions);
        return string.Join(",", _pipeline.Translate(key, out _).Actions);
    }
}
