using Google.Protobuf;
using Sdn.Cli.Commands;
using Sdn.Contracts;

namespace Sdn.Cli.Tests;

/// <summary>How `sdn flows` and `sdn trace` write the matches and actions of routing, neighbour discovery and port security.</summary>
public class FlowTextTests
{
    private static readonly byte[] Target = [0xFD, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];

    [Fact]
    public void A_ct_state_match_and_ct_actions_are_written_as_open_vswitch_writes_them()
    {
        var tracked = new FieldMatch { Field = Field.CtState, Value = ByteString.CopyFrom(0x22), Mask = ByteString.CopyFrom(0x22) };
        var untracked = new FieldMatch { Field = Field.CtState, Value = ByteString.CopyFrom(0), Mask = ByteString.CopyFrom(0x20) };

        Assert.Equal("ct_state=+trk+est", FlowText.Match([tracked]));
        Assert.Equal("ct_state=-trk", FlowText.Match([untracked]));
        Assert.Equal("ct(zone=1,table=3)", FlowText.Action(new FlowAction { Ct = new CtAction { Zone = 1, Table = 3 } }));
        Assert.Equal("ct(commit,zone=1)", FlowText.Action(new FlowAction { Ct = new CtAction { Zone = 1, Commit = true } }));
        Assert.Equal("ct(zone=1,nat)", FlowText.Action(new FlowAction { Ct = new CtAction { Zone = 1, Nat = true } }));
        var snat = new CtNat { Address = ByteString.CopyFrom(198, 51, 100, 2), FirstPort = 32768, LastPort = 60999, ReplyZone = 9 };
        Assert.Equal("ct(commit,zone=1,nat(src=198.51.100.2:32768-60999,reply_zone=9))", FlowText.Action(new FlowAction { Ct = new CtAction { Zone = 1, Commit = true, Nat = true, Translation = snat } }));
        var dnat = new CtNat { Side = CtNatSide.Destination, Address = ByteString.CopyFrom(10, 1, 0, 100) };
        Assert.Equal("ct(commit,zone=1,nat(dst=10.1.0.100))", FlowText.Action(new FlowAction { Ct = new CtAction { Zone = 1, Commit = true, Nat = true, Translation = dnat } }));
        Assert.Equal("learn_neighbour", FlowText.Action(new FlowAction { LearnNeighbour = new EmptyAction() }));
        var resolve = new ResolveNeighbourAction { Port = 4, SenderIp = ByteString.CopyFrom(198, 51, 100, 2) };
        Assert.Equal("resolve_neighbour(port=4,next_hop=destination,sender=198.51.100.2)", FlowText.Action(new FlowAction { ResolveNeighbour = resolve }));
    }

    [Fact]
    public void An_nd_target_match_is_written_as_an_ipv6_address()
    {
        var match = new FieldMatch { Field = Field.NdTarget, Value = ByteString.CopyFrom(Target) };

        Assert.Equal("nd_target=fd00::1", FlowText.Match([match]));
    }

    [Fact]
    public void An_nd_responder_is_written_with_its_target_and_mac()
    {
        var responder = new NdResponderAction { TargetIp = ByteString.CopyFrom(Target), TargetMac = ByteString.CopyFrom(2, 0, 0, 0, 0, 1) };

        Assert.Equal("nd_responder:fd00::1->02:00:00:00:00:01", FlowText.Action(new FlowAction { NdResponder = responder }));
        responder.Router = true;
        Assert.Equal("nd_responder(router):fd00::1->02:00:00:00:00:01", FlowText.Action(new FlowAction { NdResponder = responder }));
    }

    [Fact]
    public void A_port_security_drop_says_so_and_a_plain_drop_does_not()
    {
        Assert.Equal("drop(port_security)", FlowText.Action(new FlowAction { Drop = new DropAction { Reason = DropReason.PortSecurity } }));
        Assert.Equal("drop", FlowText.Action(new FlowAction { Drop = new DropAction() }));
    }
}
