using System.Buffers.Binary;
using Sdn.Common.Packets;
using Sdn.Contracts;
using Sdn.Fabric.Controller.Compiler;
using Sdn.Fabric.Controller.Model;
using Sdn.Fabric.Controller.Topology;

namespace Sdn.Fabric.Controller.Tests.Compiler;

/// <summary>
/// The IPv6 side of an external network (NAT66), compiled and installed into real edges and a real core node, as
/// <see cref="ExternalGatewayTests"/> does for IPv4, frames checked byte for byte: the gateway edge answers the
/// outside's neighbour solicitations for the gateway's IPv6 address and every floating IPv6 (and nothing else), and
/// solicits the outside router before using its learned MAC; a dual-stack tenant's ports on either edge reach the
/// outside from the gateway's IPv6 address and get their answers; the outside reaches h1 (e1) and h5 (e2) at their
/// floating IPv6 addresses, through the tenant's rules; a port reaches a floating IPv6 from inside (hairpin); and the
/// IPv4 side goes on as before.
/// </summary>
public sealed class ExternalGatewayIpv6Tests : IDisposable
{
    private const string Topology = """
        name: gw6
        core: [{ name: c1 }]
        edges: [{ name: e1 }, { name: e2 }]
        links:
          - endpoints: [e1, c1]
          - endpoints: [c1, e2]
        externals:
          - { name: internet, edge: e2, interface: sdnx0, subnet: 198.51.100.0/24, gateway-ip: 198.51.100.2, router: 198.51.100.1,
              ipv6-subnet: "2001:db8:100::/64", ipv6-gateway-ip: "2001:db8:100::2", ipv6-router: "2001:db8:100::1" }
        tenants:
          - name: red
            external: internet
            networks: [{ name: web, subnet: 10.1.0.0/24, ipv6-subnet: "fd00:1::/64" }]
        hosts:
          - { name: h1, edge: e1, network: red/web, ip: 10.1.0.100, ipv6: "fd00:1::100", floating-ipv6: "2001:db8:100::10" }
          - { name: h2, edge: e2, network: red/web, ip: 10.1.0.101, ipv6: "fd00:1::101" }
          - { name: h3, edge: e1, network: red/web, ip: 10.1.0.102, ipv6: "fd00:1::102" }
          - { name: h5, edge: e2, network: red/web, ip: 10.1.0.103, ipv6: "fd00:1::103", floating-ip: 198.51.100.13, floating-ipv6: "2001:db8:100::13" }
        """;

    private const string Server = "2001:db8:200::5";
    private const string GatewayIp = "2001:db8:100::2";
    private const string RouterIp = "2001:db8:100::1";
    private const string FloatingH1 = "2001:db8:100::10";
    private const string FloatingH5 = "2001:db8:100::13";
    private const ushort Dns = 53;
    private const ushort ClientPort = 40000;
    private const ulong RouterMac = 0x02_00_00_00_00_99;

    private readonly FabricModel _model = new(store: null);
    private readonly FabricRig _rig;

    public ExternalGatewayIpv6Tests()
    {
        TopologyFile.Parse(Topology, "gw6.yaml").LoadInto(_model);
        _rig = new FabricRig(_model.Snapshot());
        _rig.Install(FabricCompiler.Compile(_model.Snapshot()));
    }

    public void Dispose() => _rig.Dispose();

    private ulong GatewayMac => Traffic.Mac(MacAddress.GatewayOf(_model.Get(ResourceKinds.ExternalNetworks, "internet")));

    private static ulong RedRouter => Traffic.Mac(MacAddress.RouterOf("red"));

    [Theory]
    [InlineData(GatewayIp, true)]
    [InlineData(FloatingH1, false)]
    [InlineData(FloatingH5, false)]
    public void The_outside_soliciting_a_gateway_or_floating_ipv6_is_answered_with_the_gateways_mac(string target, bool router)
    {
        var answer = Assert.Single(_rig.Send("sdnx0", Solicitation(RouterMac, RouterIp, target))["sdnx0"]);

        var flags = NeighborMessage.SolicitedFlag | NeighborMessage.OverrideFlag | (router ? NeighborMessage.RouterFlag : 0);
        Assert.Equal(Advertisement(GatewayMac, target, RouterMac, RouterIp, target, flags), answer);
    }

    [Fact]
    public void Another_target_is_not_answered_and_an_invalid_solicitation_is_dropped_and_counted()
    {
        var other = _rig.Send("sdnx0", Solicitation(RouterMac, RouterIp, "2001:db8:100::77"));
        var forwarded = Solicitation(RouterMac, RouterIp, GatewayIp);
        forwarded[EthernetHeader.Size + Ipv6Header.HopLimitOffset] = 64;

        var invalid = _rig.Send("sdnx0", forwarded);

        Assert.All(other.Values, frames => Assert.Empty(frames));
        Assert.All(invalid.Values, frames => Assert.Empty(frames));
        Assert.Equal(1, _rig.Edges["e2"].Datapath.Counters.NdInvalid);
    }

    [Theory]
    [InlineData("h3")] // across the core from e1
    [InlineData("h2")] // on the gateway edge itself
    public void A_port_reaches_the_outside_from_the_gateways_ipv6_address_through_the_router_it_solicited(string host)
    {
        var port = Port(host);

        var unresolved = _rig.Send(host, Udp(RedRouter, Traffic.Mac(port), port.Ipv6, Server, ClientPort, Dns));
        Assert.Equal(Solicitation(GatewayMac, GatewayIp, RouterIp, multicast: true), Assert.Single(unresolved["sdnx0"]));
        _rig.Send("sdnx0", Advertisement(RouterMac, RouterIp, GatewayMac, GatewayIp, RouterIp, NeighborMessage.SolicitedFlag | NeighborMessage.RouterFlag));
        var sent = _rig.Send(host, Udp(RedRouter, Traffic.Mac(port), port.Ipv6, Server, ClientPort, Dns));
        var answered = _rig.Send("sdnx0", Udp(GatewayMac, RouterMac, Server, GatewayIp, Dns, ClientPort));

        Assert.Equal(Udp(RouterMac, GatewayMac, GatewayIp, Server, ClientPort, Dns, hopLimit: 63), Assert.Single(sent["sdnx0"]));
        Assert.Equal(Udp(Traffic.Mac(port), RedRouter, Server, port.Ipv6, Dns, ClientPort, hopLimit: 63), Assert.Single(answered[host]));
        Assert.All(answered.Where(d => d.Key != host), d => Assert.Empty(d.Value));
    }

    [Fact]
    public void Ipv4_still_leaves_from_the_gateways_ipv4_address_beside_ipv6()
    {
        var h3 = Port("h3");
        var unresolved = _rig.Send("h3", Traffic.Build((ref FrameBuilder b) =>
        {
            b.Ethernet(RedRouter, Traffic.Mac(h3), EtherTypes.Ipv4);
            b.Ipv4(Traffic.Ip(h3.Ipv4), Traffic.Ip("203.0.113.5"), IpProtocols.Udp);
            b.Udp(ClientPort, Dns);
        }));

        var request = Assert.Single(unresolved["sdnx0"]);
        Assert.Equal(EtherTypes.Arp, BinaryPrimitives.ReadUInt16BigEndian(request.AsSpan(EthernetHeader.EtherTypeOffset)));
    }

    [Theory]
    [InlineData("h1", FloatingH1)] // across the core from the gateway edge
    [InlineData("h5", FloatingH5)] // on the gateway edge itself
    public void The_outside_reaches_a_port_at_its_floating_ipv6_and_the_port_answers_and_opens_from_it(string host, string floating)
    {
        var port = Port(host);
        _rig.Send("sdnx0", Advertisement(RouterMac, RouterIp, GatewayMac, GatewayIp, RouterIp, NeighborMessage.SolicitedFlag));

        var inbound = _rig.Send("sdnx0", Udp(GatewayMac, RouterMac, Server, floating, 41000, 22));
        var answer = _rig.Send(host, Udp(RedRouter, Traffic.Mac(port), port.Ipv6, Server, 22, 41000));
        var opened = _rig.Send(host, Udp(RedRouter, Traffic.Mac(port), port.Ipv6, Server, 5000, 123));

        Assert.Equal(Udp(Traffic.Mac(port), RedRouter, Server, port.Ipv6, 41000, 22, hopLimit: 63), Assert.Single(inbound[host]));
        Assert.Equal(Udp(RouterMac, GatewayMac, floating, Server, 22, 41000, hopLimit: 63), Assert.Single(answer["sdnx0"]));
        Assert.Equal(Udp(RouterMac, GatewayMac, floating, Server, 5000, 123, hopLimit: 63), Assert.Single(opened["sdnx0"]));
    }

    [Theory]
    [InlineData("h1", FloatingH1)]
    [InlineData("h5", FloatingH5)]
    public void Under_stateful_rules_the_outside_opens_only_what_a_rule_allows_over_ipv6(string host, string floating)
    {
        var port = Port(host);
        Rule("ssh-in", 200, AclAction.Allow, to: $"{port.Ipv6}/128", protocol: 17, ports: 22, stateful: true);
        Rule("rest", 100, AclAction.Deny);
        _rig.Send("sdnx0", Advertisement(RouterMac, RouterIp, GatewayMac, GatewayIp, RouterIp, NeighborMessage.SolicitedFlag));

        var opened = _rig.Send("sdnx0", Udp(GatewayMac, RouterMac, Server, floating, 41000, 22));
        var answer = _rig.Send(host, Udp(RedRouter, Traffic.Mac(port), port.Ipv6, Server, 22, 41000));
        var refused = _rig.Send("sdnx0", Udp(GatewayMac, RouterMac, Server, floating, 41000, 23));

        Assert.Single(opened[host]);
        Assert.Equal(Udp(RouterMac, GatewayMac, floating, Server, 22, 41000, hopLimit: 63), Assert.Single(answer["sdnx0"]));
        Assert.All(refused.Values, frames => Assert.Empty(frames));
    }

    [Fact]
    public void A_deny_rule_on_a_ports_ipv6_address_refuses_even_the_replies_to_the_gateways_address()
    {
        var h3 = Port("h3");
        _rig.Send("sdnx0", Advertisement(RouterMac, RouterIp, GatewayMac, GatewayIp, RouterIp, NeighborMessage.SolicitedFlag));
        var sent = _rig.Send("h3", Udp(RedRouter, Traffic.Mac(h3), h3.Ipv6, Server, ClientPort, Dns));
        Rule("deny-h3", 200, AclAction.Deny, to: $"{h3.Ipv6}/128");

        var refused = _rig.Send("sdnx0", Udp(GatewayMac, RouterMac, Server, GatewayIp, Dns, ClientPort));

        Assert.Single(sent["sdnx0"]);
        Assert.All(refused.Values, frames => Assert.Empty(frames));
    }

    [Theory]
    [InlineData("h3", "h5", FloatingH5, GatewayIp)] // from across the core to a port on the gateway edge
    [InlineData("h2", "h1", FloatingH1, GatewayIp)] // from the gateway edge to a port across the core
    [InlineData("h1", "h5", FloatingH5, FloatingH1)] // from a port with a floating IPv6 of its own
    public void A_port_reaches_another_ports_floating_ipv6_from_inside_and_gets_the_answer(string sender, string target, string floating, string seenAs)
    {
        var (from, to) = (Port(sender), Port(target));

        var sent = _rig.Send(sender, Udp(RedRouter, Traffic.Mac(from), from.Ipv6, floating, ClientPort, 22));
        var answer = _rig.Send(target, Udp(RedRouter, Traffic.Mac(to), to.Ipv6, seenAs, 22, ClientPort));

        Assert.Equal(Udp(Traffic.Mac(to), RedRouter, seenAs, to.Ipv6, ClientPort, 22, hopLimit: 62), Assert.Single(sent[target]));
        Assert.Equal(Udp(Traffic.Mac(from), RedRouter, floating, from.Ipv6, 22, ClientPort, hopLimit: 62), Assert.Single(answer[sender]));
        Assert.Empty(sent["sdnx0"]);
        Assert.Empty(answer["sdnx0"]);
    }

    [Fact]
    public void A_destination_on_the_external_ipv6_subnet_is_solicited_and_reached_straight()
    {
        var h3 = Port("h3");
        const string Neighbour = "2001:db8:100::77";
        const ulong NeighbourMac = 0x02_00_00_00_00_77;

        var unresolved = _rig.Send("h3", Udp(RedRouter, Traffic.Mac(h3), h3.Ipv6, Neighbour, ClientPort, Dns));
        _rig.Send("sdnx0", Solicitation(NeighbourMac, Neighbour, GatewayIp));
        var sent = _rig.Send("h3", Udp(RedRouter, Traffic.Mac(h3), h3.Ipv6, Neighbour, ClientPort, Dns));

        Assert.Equal(Solicitation(GatewayMac, GatewayIp, Neighbour, multicast: true), Assert.Single(unresolved["sdnx0"]));
        Assert.Equal(Udp(NeighbourMac, GatewayMac, GatewayIp, Neighbour, ClientPort, Dns, hopLimit: 63), Assert.Single(sent["sdnx0"]));
    }

    [Fact]
    public void A_port_added_later_with_a_floating_ipv6_is_answered_and_reached_once_the_incremental_compile_is_installed()
    {
        var compiler = new IncrementalCompiler(_model.Snapshot(), FabricCompiler.Compile(_model.Snapshot()));
        var port = _model.Create(ResourceKinds.Ports, new Port { Name = "h4", Network = "red.web", Edge = "e1", Kind = PortKind.Tap, FloatingIpv6 = "2001:db8:100::12" });
        compiler.Apply(EventType.Created, port);
        _rig.Install(compiler.Compiled);
        _rig.Send("sdnx0", Advertisement(RouterMac, RouterIp, GatewayMac, GatewayIp, RouterIp, NeighborMessage.SolicitedFlag));

        var solicited = _rig.Send("sdnx0", Solicitation(RouterMac, RouterIp, "2001:db8:100::12"));
        var inbound = _rig.Send("sdnx0", Udp(GatewayMac, RouterMac, Server, "2001:db8:100::12", 41000, 22));
        var answer = _rig.Send("h4", Udp(RedRouter, Traffic.Mac(port), port.Ipv6, Server, 22, 41000));

        Assert.Single(solicited["sdnx0"]);
        Assert.Equal(Udp(Traffic.Mac(port), RedRouter, Server, port.Ipv6, 41000, 22, hopLimit: 63), Assert.Single(inbound["h4"]));
        Assert.Equal(Udp(RouterMac, GatewayMac, "2001:db8:100::12", Server, 22, 41000, hopLimit: 63), Assert.Single(answer["sdnx0"]));
    }

    private void Rule(string name, uint priority, AclAction action, string to = "", uint protocol = 0, ushort ports = 0, bool stateful = false)
    {
        _model.Create(ResourceKinds.AclRules, new AclRule
        {
            Name = name,
            Tenant = "red",
            Priority = priority,
            Action = action,
            DstCidr = to,
            Protocol = protocol,
            DstPorts = ports == 0 ? null : new PortRange { First = ports, Last = ports },
            Stateful = stateful,
        });
        _rig.Install(FabricCompiler.Compile(_model.Snapshot()));
    }

    private Port Port(string name) => _model.Get(ResourceKinds.Ports, name);

    private static byte[] Udp(ulong ethDst, ulong ethSrc, string source, string destination, ushort sourcePort, ushort destinationPort, byte hopLimit = 64) => Traffic.Build((ref FrameBuilder b) =>
    {
        b.Ethernet(ethDst, ethSrc, EtherTypes.Ipv6);
        b.Ipv6(Traffic.Ip6(source), Traffic.Ip6(destination), IpProtocols.Udp, hopLimit);
        b.Udp(sourcePort, destinationPort);
        b.Payload("outside"u8);
    });

    /// <summary>A solicitation for <paramref name="target"/> with a source link-layer option, to its solicited-node address; unicast to the gateway's MAC unless <paramref name="multicast"/>.</summary>
    private byte[] Solicitation(ulong ethSrc, string source, string target, bool multicast = false)
    {
        var address = Traffic.Ip6(target);
        var solicitedNode = Traffic.Ip6("ff02::1:ff00:0") | (address & 0xFF_FFFF);
        var ethDst = multicast || ethSrc == GatewayMac ? 0x33_33_FF_00_00_00UL | (ulong)(address & 0xFF_FFFF) : GatewayMac;
        return Traffic.Build((ref FrameBuilder b) =>
        {
            b.Ethernet(ethDst, ethSrc, EtherTypes.Ipv6);
            b.Ipv6(Traffic.Ip6(source), solicitedNode, IpProtocols.Icmpv6, NeighborMessage.HopLimit);
            b.Neighbor(NeighborMessage.Solicitation, 0, address, NeighborMessage.SourceLinkLayerAddressOption, ethSrc);
        });
    }

    private static byte[] Advertisement(ulong ethSrc, string source, ulong ethDst, string destination, string target, uint flags) => Traffic.Build((ref FrameBuilder b) =>
    {
        b.Ethernet(ethDst, ethSrc, EtherTypes.Ipv6);
        b.Ipv6(Traffic.Ip6(source), Traffic.Ip6(destination), IpProtocols.Icmpv6, NeighborMessage.HopLimit);
        b.Neighbor(NeighborMessage.Advertisement, flags, Traffic.Ip6(target), NeighborMessage.TargetLinkLayerAddressOption, ethSrc);
    });
}
