using Google.Protobuf;
using Sdn.Common.Packets;
using Sdn.Contracts;
using Sdn.Contracts.Southbound;
using Sdn.Fabric.Edge.Agent;
using Sdn.Fabric.Edge.Nat;
using Sdn.Fabric.Edge.Pipeline;

namespace Sdn.Fabric.Edge.Tests.Agent;

/// <summary>The southbound messages the controller compiles, as the pipeline holds them.</summary>
public class ProgramTranslatorTests
{
    private static readonly UInt128 Target = new(0xFD00_0000_0000_0000, 1);

    [Fact]
    public void An_nd_target_match_admits_the_solicitations_for_that_target_only()
    {
        var entry = new FlowEntry { Match = { Exact(Field.EthType, [0x86, 0xDD]), Exact(Field.NdTarget, Address(Target)) } };

        var match = ProgramTranslator.Match(entry);

        Assert.True(match.Matches(Solicitation(Target)));
        Assert.False(match.Matches(Solicitation(Target + 1)));
        Assert.Equal("eth_type=0x86dd,nd_target_hi=0xfd00000000000000,nd_target_lo=0x1", match.ToString());
    }

    [Fact]
    public void A_masked_nd_target_match_is_a_prefix()
    {
        var mask = Address(UInt128.MaxValue << 64);
        var entry = new FlowEntry { Match = { new FieldMatch { Field = Field.NdTarget, Value = ByteString.CopyFrom(Address(Target)), Mask = ByteString.CopyFrom(mask) } } };

        var match = ProgramTranslator.Match(entry);

        Assert.True(match.Matches(Solicitation(Target + 0x1234)));
        Assert.False(match.Matches(Solicitation(Target + (UInt128.One << 64))));
    }

    [Fact]
    public void An_nd_responder_keeps_its_target_mac_and_router_flag()
    {
        var entry = Applying(new FlowAction { NdResponder = new NdResponderAction { TargetIp = ByteString.CopyFrom(Address(Target)), TargetMac = ByteString.CopyFrom(2, 0, 0, 0, 0, 1), Router = true } });

        var action = Assert.Single(ProgramTranslator.Add(entry, tableCount: 8).Instructions.ApplyActions);

        Assert.Equal(PipelineAction.NdResponder(Target, 0x02_00_00_00_00_01, router: true), action);
    }

    [Fact]
    public void An_nd_responder_for_an_ipv4_sized_target_is_refused()
    {
        var entry = Applying(new FlowAction { NdResponder = new NdResponderAction { TargetIp = ByteString.CopyFrom(10, 0, 0, 1), TargetMac = ByteString.CopyFrom(2, 0, 0, 0, 0, 1) } });

        Assert.Contains("16 bytes", Assert.Throws<ProgramException>(() => ProgramTranslator.Add(entry, tableCount: 8)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_drop_for_port_security_counts_spoofing_and_a_plain_drop_does_not()
    {
        Assert.Equal(PipelineAction.DropSpoofed(), Translated(new FlowAction { Drop = new DropAction { Reason = DropReason.PortSecurity } }));
        Assert.Equal(PipelineAction.Drop(), Translated(new FlowAction { Drop = new DropAction() }));
        Assert.Throws<ProgramException>(() => Translated(new FlowAction { Drop = new DropAction { Reason = (DropReason)9 } }));
    }

    [Fact]
    public void A_ct_with_a_translation_keeps_its_side_address_and_ports_and_a_bad_one_is_refused()
    {
        var snat = new CtNat { Side = CtNatSide.Source, Address = ByteString.CopyFrom(198, 51, 100, 2), FirstPort = 32768, LastPort = 60999 };

        var translated = Translated(new FlowAction { Ct = new CtAction { Zone = 4, Commit = true, Translation = snat } });

        Assert.Equal(PipelineAction.Ct(4, commit: true, translation: new NatTranslation(NatSide.Source, 0xC6_33_64_02, 32768, 60999)), translated);
        Assert.True(translated.CtNat);
        Assert.Equal("ct(commit,zone=4,nat(src=198.51.100.2:32768-60999))", translated.ToString());
        Assert.Contains("needs commit", Refusal(new CtAction { Zone = 4, Translation = snat }), StringComparison.Ordinal);
        Assert.Contains("address alone", Refusal(new CtAction { Zone = 4, Commit = true, Translation = new CtNat(snat) { Side = CtNatSide.Destination } }), StringComparison.Ordinal);
        Assert.Contains("empty", Refusal(new CtAction { Zone = 4, Commit = true, Translation = new CtNat(snat) { LastPort = 1 } }), StringComparison.Ordinal);
        Assert.Equal((ushort?)9, Translated(new FlowAction { Ct = new CtAction { Zone = 4, Commit = true, Translation = new CtNat(snat) { ReplyZone = 9 } } }).CtTranslation!.Value.ReplyZone);
        Assert.Contains("reply zone", Refusal(new CtAction { Zone = 4, Commit = true, Translation = new CtNat(snat) { ReplyZone = 70000 } }), StringComparison.Ordinal);
        Assert.Contains("4-byte (IPv4) or 16-byte (IPv6)", Refusal(new CtAction { Zone = 4, Commit = true, Translation = new CtNat { Address = ByteString.CopyFrom(1, 2) } }), StringComparison.Ordinal);
    }

    [Fact]
    public void A_ct_with_a_16_byte_address_translates_ipv6()
    {
        var address = System.Net.IPAddress.Parse("2001:db8:100::2").GetAddressBytes();
        var snat = new CtNat { Side = CtNatSide.Source, Address = ByteString.CopyFrom(address), ReplyZone = 65280 };

        var translated = Translated(new FlowAction { Ct = new CtAction { Zone = 4, Commit = true, Translation = snat } });

        Assert.Equal(new NatTranslation(NatSide.Source, System.Buffers.Binary.BinaryPrimitives.ReadUInt128BigEndian(address), ReplyZone: 65280, IsIpv6: true), translated.CtTranslation);
        Assert.Equal("ct(commit,zone=4,nat(src=2001:db8:100::2,reply_zone=65280))", translated.ToString());
    }

    [Fact]
    public void A_ct_nat_without_a_translation_rewrites_from_the_connection()
    {
        var translated = Translated(new FlowAction { Ct = new CtAction { Zone = 4, Nat = true, Table = 2 } });

        Assert.Equal((true, (NatTranslation?)null, "ct(zone=4,table=2,nat)"), (translated.CtNat, translated.CtTranslation, translated.ToString()));
    }

    [Fact]
    public void Neighbour_actions_keep_their_port_and_addresses_and_a_short_address_is_refused()
    {
        var resolve = new ResolveNeighbourAction { Port = 7, NextHop = ByteString.CopyFrom(198, 51, 100, 1), SenderIp = ByteString.CopyFrom(198, 51, 100, 2) };

        Assert.Equal(PipelineAction.ResolveNeighbour(7, 0xC6_33_64_01, 0xC6_33_64_02), Translated(new FlowAction { ResolveNeighbour = resolve }));
        Assert.Equal(PipelineAction.LearnNeighbour(), Translated(new FlowAction { LearnNeighbour = new EmptyAction() }));
        Assert.Throws<ProgramException>(() => Translated(new FlowAction { ResolveNeighbour = new ResolveNeighbourAction { Port = 7, SenderIp = ByteString.CopyFrom(1, 2) } }));
    }

    [Fact]
    public void An_ipv6_neighbour_action_keeps_its_addresses_and_mixed_families_are_refused()
    {
        var router = System.Net.IPAddress.Parse("2001:db8:100::1").GetAddressBytes();
        var gateway = System.Net.IPAddress.Parse("2001:db8:100::2").GetAddressBytes();
        var resolve = new ResolveNeighbourAction { Port = 7, NextHop = ByteString.CopyFrom(router), SenderIp = ByteString.CopyFrom(gateway) };

        var translated = Translated(new FlowAction { ResolveNeighbour = resolve });

        Assert.Equal("resolve_neighbour(port=7,next_hop=2001:db8:100::1,sender=2001:db8:100::2)", translated.ToString());
        Assert.Equal("resolve_neighbour(port=7,next_hop=destination,sender=2001:db8:100::2)", Translated(new FlowAction { ResolveNeighbour = new ResolveNeighbourAction(resolve) { NextHop = ByteString.Empty } }).ToString());
        Assert.Contains("one family", Assert.Throws<ProgramException>(() => Translated(new FlowAction { ResolveNeighbour = new ResolveNeighbourAction(resolve) { NextHop = ByteString.CopyFrom(198, 51, 100, 1) } })).Message, StringComparison.Ordinal);
    }

    private static string Refusal(CtAction ct) => Assert.Throws<ProgramException>(() => Translated(new FlowAction { Ct = ct })).Message;

    private static PipelineAction Translated(FlowAction action) => Assert.Single(ProgramTranslator.Add(Applying(action), tableCount: 8).Instructions.ApplyActions);

    private static FlowEntry Applying(FlowAction action) =>
        new() { TableId = 1, Priority = 10, Instructions = { new Instruction { ApplyActions = new ApplyActions { Actions = { action } } } } };

    private static FlowKey Solicitation(UInt128 target) => new()
    {
        EthType = EtherTypes.Ipv6,
        IpProto = IpProtocols.Icmpv6,
        IcmpType = NeighborMessage.Solicitation,
        NdTarget = target,
    };

    private static FieldMatch Exact(Field field, byte[] value) => new() { Field = field, Value = ByteString.CopyFrom(value) };

    private static byte[] Address(UInt128 address)
    {
        var bytes = new byte[16];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt128BigEndian(bytes, address);
        return bytes;
    }
}
