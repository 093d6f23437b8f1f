using Sdn.Cli.Commands;
using Sdn.Common.Packets;
using Sdn.Contracts;
using Sdn.Fabric.Controller.Model;

namespace Sdn.Cli.Tests;

/// <summary>`sdn trace --packet SPEC`: what each description builds, the defaults the port supplies, and the refusals.</summary>
public class PacketSpecTests
{
    private static readonly Port From = new() { Name = "red1", Network = "red/web", Mac = "02:00:00:00:00:01", Ipv4 = "10.1.0.11", Ipv6 = "fd00::11" };
    private static readonly Port To = new() { Name = "red2", Network = "red/web", Mac = "02:00:00:00:00:02", Ipv4 = "10.1.0.12", Ipv6 = "fd00::12" };
    private static readonly Network Web = new() { Name = "red/web", Tenant = "red", Ipv4Subnet = "10.1.0.0/24", Ipv6Subnet = "fd00::/64" };
    private static readonly ExternalNetwork Internet = new() { Name = "internet", Edge = "e2", Interface = "sdnx0", Ipv4Subnet = "198.51.100.0/24", Ipv4Address = "198.51.100.2", Ipv4Router = "198.51.100.1" };
    private static readonly Port OtherTenant = new() { Name = "blue2", Network = "blue/db", Mac = "02:00:00:00:00:03", Ipv4 = "10.1.0.13" };

    [Fact]
    public void Icmp_takes_its_sources_from_the_port_and_the_destination_mac_from_the_port_that_owns_the_address()
    {
        var key = Extract("icmp,nw_dst=10.1.0.12");

        Assert.Equal((Traffic.Mac(From), Traffic.Mac(To), EtherTypes.Ipv4), (key.EthSrc, key.EthDst, key.EthType));
        Assert.Equal((Traffic.Ip("10.1.0.11"), Traffic.Ip("10.1.0.12"), IpProtocols.Icmp, (byte)8, (byte)64), (key.Ipv4Src, key.Ipv4Dst, key.IpProto, key.IcmpType, key.IpTtl));
    }

    [Fact]
    public void Given_fields_override_the_defaults()
    {
        var key = Extract("udp,dl_src=02:aa:00:00:00:01,dl_vlan=10,nw_src=10.1.0.99,nw_dst=10.1.0.13,nw_ttl=3,tp_src=1000,tp_dst=53");

        Assert.Equal((0x02aa00000001ul, 0xfffffffffffful), (key.EthSrc, key.EthDst));
        Assert.Equal(FlowKey.VlanTagPresent | 10, key.VlanTci);
        Assert.Equal((Traffic.Ip("10.1.0.99"), IpProtocols.Udp, (byte)3, (ushort)1000, (ushort)53), (key.Ipv4Src, key.IpProto, key.IpTtl, key.L4Src, key.L4Dst));
    }

    [Fact]
    public void Arp_is_a_broadcast_request_for_the_destination_and_icmp6_uses_the_ipv6_addresses()
    {
        var arp = Extract("arp,arp_tpa=10.1.0.12");
        Assert.Equal((0xfffffffffffful, EtherTypes.Arp, ArpPacket.Request), (arp.EthDst, arp.EthType, arp.ArpOp));
        Assert.Equal((Traffic.Ip("10.1.0.11"), Traffic.Ip("10.1.0.12")), (arp.ArpSpa, arp.ArpTpa));

        var ping6 = Extract("icmp6,ipv6_dst=fd00::12");
        Assert.Equal((Traffic.Mac(To), EtherTypes.Ipv6, IpProtocols.Icmpv6, (byte)128), (ping6.EthDst, ping6.EthType, ping6.IpProto, ping6.IcmpType));
    }

    [Theory]
    [InlineData("tcp,nw_dst=10.2.0.12")]
    [InlineData("udp6,ipv6_dst=fd00:2::12")]
    public void A_destination_beyond_the_ports_network_is_sent_to_the_tenants_router(string spec)
    {
        var key = Extract(spec);

        Assert.Equal(Traffic.Mac(MacAddress.RouterOf("red")), key.EthDst);
    }

    [Fact]
    public void Hex_gives_the_frame_as_it_is()
    {
        var frame = Build("icmp,nw_dst=10.1.0.12");

        Assert.Equal(frame, PacketSpec.Parse("hex:" + Convert.ToHexString(frame)).Build(From, Web, []));
    }

    [Theory]
    [InlineData("nw_dst=10.1.0.12", "--packet: name a protocol")]
    [InlineData("icmp,udp,nw_dst=10.1.0.12", "names two protocols, icmp and udp")]
    [InlineData("icmp,nw_dts=10.1.0.12", "'nw_dts=10.1.0.12' is no protocol or field")]
    [InlineData("icmp,nw_dst=1.2.3.4,nw_dst=1.2.3.5", "nw_dst is given twice")]
    [InlineData("icmp,nw_dst=10.1.0.12,tp_dst=53", "tp_dst does not apply to icmp")]
    [InlineData("icmp,nw_dst=10.1.0.300", "nw_dst=10.1.0.300 is not an IPv4 address")]
    [InlineData("icmp", "nw_dst is needed")]
    [InlineData("udp,nw_dst=10.1.0.12,tp_dst=70000", "tp_dst=70000 is not a number from 0 to 65535")]
    [InlineData("icmp,nw_dst=10.1.0.12,dl_dst=02:00", "dl_dst=02:00 is not a MAC address")]
    [InlineData("hex:0200zz", "hex: give the frame as hexadecimal bytes")]
    [InlineData("hex:0200", "shorter than an Ethernet header")]
    public void A_bad_description_is_refused_naming_the_field(string spec, string problem) =>
        Assert.Contains(problem, Assert.Throws<CommandException>(() => Build(spec)).Message, StringComparison.Ordinal);

    [Fact]
    public void From_the_outside_a_packet_comes_from_the_router_to_the_gateways_mac()
    {
        Assert.True(FlowKeyExtractor.Extract(PacketSpec.Parse("tcp,nw_dst=198.51.100.10,tp_dst=22").BuildFromOutside(Internet), 0, out var key, out _).IsOk);

        Assert.Equal(Traffic.Mac(MacAddress.GatewayOf(Internet)), key.EthDst);
        Assert.Equal((Traffic.Ip("198.51.100.1"), Traffic.Ip("198.51.100.10"), IpProtocols.Tcp, (ushort)22), (key.Ipv4Src, key.Ipv4Dst, key.IpProto, key.L4Dst));
    }

    [Fact]
    public void From_the_outside_an_ipv6_packet_comes_from_the_ipv6_router_to_the_gateways_mac()
    {
        var dualStack = new ExternalNetwork(Internet) { Ipv6Subnet = "2001:db8:100::/64", Ipv6Address = "2001:db8:100::2", Ipv6Router = "2001:db8:100::1" };

        Assert.True(FlowKeyExtractor.Extract(PacketSpec.Parse("tcp6,ipv6_dst=2001:db8:100::10,tp_dst=22").BuildFromOutside(dualStack), 0, out var key, out _).IsOk);

        Assert.Equal(Traffic.Mac(MacAddress.GatewayOf(Internet)), key.EthDst);
        Assert.Equal((Traffic.Ip6("2001:db8:100::1"), Traffic.Ip6("2001:db8:100::10"), IpProtocols.Tcp, (ushort)22), (key.Ipv6Src, key.Ipv6Dst, key.IpProto, key.L4Dst));
    }

    [Theory]
    [InlineData("tcp6,ipv6_dst=fd00::12", "", "external network 'internet' has no IPv6 side, so only IPv4 crosses its gateway")]
    [InlineData("tcp,nw_dst=198.51.100.10", "", "external network 'internet' has no router to send from: give nw_src")]
    [InlineData("tcp6,ipv6_dst=2001:db8:100::10", "2001:db8:100::/64", "external network 'internet' has no IPv6 router to send from: give ipv6_src")]
    public void From_the_outside_a_packet_of_a_family_the_gateway_lacks_or_without_a_source_is_refused(string spec, string ipv6Subnet, string problem) =>
        Assert.Contains(problem, Assert.Throws<CommandException>(() => PacketSpec.Parse(spec).BuildFromOutside(
            new ExternalNetwork(Internet) { Ipv4Router = string.Empty, Ipv6Subnet = ipv6Subnet, Ipv6Address = ipv6Subnet.Length > 0 ? "2001:db8:100::2" : string.Empty })).Message, StringComparison.Ordinal);

    private static byte[] Build(string spec) => PacketSpec.Parse(spec).Build(From, Web, [From, To, OtherTenant]);

    private static FlowKey Extract(string spec)
    {
        Assert.True(FlowKeyExtractor.Extract(Build(spec), 0, out var key, out _).IsOk);
        return key;
    }
}
