using Sdn.Common.Packets;
using Sdn.Fabric.Edge.Pipeline;
using Sdn.Fabric.Edge.Tests.Support;

namespace Sdn.Fabric.Edge.Tests.Pipeline;

public class FlowMatchTests
{
    public static TheoryData<string> FieldNames => [.. FlowField.All.Select(f => f.Name)];

    [Theory]
    [MemberData(nameof(FieldNames))]
    public void Each_field_matches_its_value_and_nothing_else(string name)
    {
        var field = FlowField.All.Single(f => f.Name == name);
        var value = 0x5A5A_5A5A_5A5A_5A5AUL & field.FieldMask;

        // The ND target's high half shares its word with the IPv4 addresses: a match names it when it is for IPv6.
        var ipv6Only = field == FlowField.NdTargetHigh;
        var match = (ipv6Only ? FlowMatch.Any.EthType(EtherTypes.Ipv6) : FlowMatch.Any).With(field, value);
        var key = new FlowKey { EthType = ipv6Only ? EtherTypes.Ipv6 : (ushort)0 };
        field.Write(key.Words, value);
        var other = key;
        field.Write(other.Words, value ^ 1);

        Assert.True(match.Matches(key));
        Assert.False(match.Matches(other));
        Assert.Equal($"{(ipv6Only ? "eth_type=0x86dd," : string.Empty)}{name}=0x{value:x}", match.ToString());
    }

    [Fact]
    public void Named_builders_set_the_fields_the_flow_key_reads()
    {
        var key = Keys.Udp(3, Keys.Ip(10, 0, 0, 1), Keys.Ip(10, 0, 1, 9), 1000, 53);
        key.VlanTci = (ushort)(FlowKey.VlanTagPresent | 100);
        key.IpDscp = 46;
        key.Metadata = 0xAB;
        key.SetRegister(5, 77);
        key.MplsTopEntry = new MplsLabelStackEntry(1234, 5, true, 9).Encoded;

        var match = FlowMatch.Any.InPort(3).EthSrc(Keys.MacA).EthDst(Keys.MacB).EthType(EtherTypes.Ipv4).Vlan(100)
            .IpProto(17).IpDscp(46).IpTtl(64).Ipv4Src(Keys.Ip(10, 0, 0, 0), 24).Ipv4Dst(Keys.Ip(10, 0, 1, 9))
            .L4Src(1000).L4Dst(53).Metadata(0xAB).Register(5, 77).MplsLabel(1234).MplsTc(5).MplsBos(true);

        Assert.True(match.Matches(key));
        key.SetRegister(4, 1);
        Assert.True(match.Matches(key));
        key.SetRegister(5, 78);
        Assert.False(match.Matches(key));
    }

    [Fact]
    public void Prefixes_and_the_vlan_tag_bit_are_honoured()
    {
        var key = Keys.Udp(1, Keys.Ip(192, 168, 7, 200), 0);
        Assert.True(FlowMatch.Any.Ipv4Src(Keys.Ip(192, 168, 0, 0), 16).Matches(key));
        Assert.False(FlowMatch.Any.Ipv4Src(Keys.Ip(192, 168, 0, 0), 24).Matches(key));
        Assert.True(FlowMatch.Any.Ipv4Src(0, 0).Matches(key));
        Assert.True(FlowMatch.Any.NoVlan().Matches(key));
        Assert.False(FlowMatch.Any.Vlan(0).Matches(key));

        key.Ipv6Dst = (UInt128.One << 127) | 5;
        Assert.True(FlowMatch.Any.Ipv6Dst(UInt128.One << 127, 64).Matches(key));
        Assert.False(FlowMatch.Any.Ipv6Dst(UInt128.One << 127, 128).Matches(key));
    }

    [Fact]
    public void Arp_and_icmp_fields_match()
    {
        var arp = Keys.ArpRequest(1, Keys.Ip(10, 0, 0, 1), Keys.Ip(10, 0, 0, 2));
        Assert.True(FlowMatch.Any.ArpOp(ArpOperations.Request).ArpSpa(Keys.Ip(10, 0, 0, 1)).ArpTpa(Keys.Ip(10, 0, 0, 2)).Matches(arp));

        var icmp = Keys.Udp(1, 1, 2);
        icmp.IpProto = 1;
        icmp.IcmpType = 8;
        Assert.True(FlowMatch.Any.IpProto(1).IcmpType(8).IcmpCode(0).Matches(icmp));
        Assert.False(FlowMatch.Any.IcmpType(0).Matches(icmp));
    }

    [Fact]
    public void Overlap_and_coverage_follow_the_masks()
    {
        var subnet = FlowMatch.Any.Ipv4Dst(Keys.Ip(10, 0, 0, 0), 8);
        var host = FlowMatch.Any.Ipv4Dst(Keys.Ip(10, 1, 2, 3));
        var port = FlowMatch.Any.L4Dst(80);
        var elsewhere = FlowMatch.Any.Ipv4Dst(Keys.Ip(11, 0, 0, 1));

        Assert.True(subnet.Overlaps(host));
        Assert.True(subnet.Overlaps(port));
        Assert.False(subnet.Overlaps(elsewhere));
        Assert.True(host.IsCoveredBy(subnet));
        Assert.False(subnet.IsCoveredBy(host));
        Assert.True(port.IsCoveredBy(FlowMatch.Any));
    }
}
