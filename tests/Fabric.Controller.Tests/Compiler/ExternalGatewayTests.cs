using System.Buffers.Binary;
using Sdn.Common.Packets;
using Sdn.Contracts;
using Sdn.Fabric.Controller.Compiler;
using Sdn.Fabric.Controller.Model;
using Sdn.Fabric.Controller.Topology;

namespace Sdn.Fabric.Controller.Tests.Compiler;

/// <summary>
/// An external network compiled and installed into real edges and a real core node: the gateway edge (e2) gets a port
/// on the external interface, answers the outside's ARP there for the gateway's address and every floating IP, and
/// for nothing else; a tenant's ports on either edge reach the outside from the gateway's address through the outside
/// router (or straight, on the external subnet) and get their answers back, under a stateful rule too; the outside
/// reaches h1 (e1) and h5 (e2) at their floating IPs, and they go out from them.
/// </summary>
public sealed class ExternalGatewayTests : IDisposable
{
    private const string Topology = """
        name: gw
        core: [{ name: c1 }]
        edges: [{ name: e1 }, { name: e2 }]
        links:
          - endpoints: [e1, c1]
          - endpoints: [c1, e2]
        externals:
          - { name: internet, edge: e2, interface: sdnx0, subnet: 198.51.100.0/24, gateway-ip: 198.51.100.2, router: 198.51.100.1 }
        tenants:
          - name: red
            external: internet
            networks: [{ name: web, subnet: 10.1.0.0/24 }]
        hosts:
          - { name: h1, edge: e1, network: red/web, ip: 10.1.0.100, floating-ip: 198.51.100.10 }
          - { name: h2, edge: e2, network: red/web, ip: 10.1.0.101 }
          - { name: h3, edge: e1, network: red/web, ip: 10.1.0.102 }
          - { name: h5, edge: e2, network: red/web, ip: 10.1.0.103, floating-ip: 198.51.100.13 }
        """;

    private const string Server = "203.0.113.5";
    private const string GatewayIp = "198.51.100.2";
    private const string FloatingIp = "198.51.100.10";
    private const string Neighbour = "198.51.100.7";
    private const ushort Dns = 53;
    private const ushort ClientPort = 40000;

    private const ulong OutsideMac = 0x02_00_00_00_00_99;
    private const uint OutsideIp = 0xC6_33_64_01; // 198.51.100.1

    private readonly FabricModel _model = new(store: null);
    private readonly FabricRig _rig;

    public ExternalGatewayTests()
    {
        TopologyFile.Parse(Topology, "gw.yaml").LoadInto(_model);
        _rig = new FabricRig(_model.Snapshot());
        _rig.Install(FabricCompiler.Compile(_model.Snapshot()));
    }

    public void Dispose() => _rig.Dispose();

    private ulong GatewayMac => Traffic.Mac(MacAddress.GatewayOf(_model.Get(ResourceKinds.ExternalNetworks, "internet")));

    private static ulong RedRouter => Traffic.Mac(MacAddress.RouterOf("red"));

    [Fact]
    public void The_gateway_edge_alone_has_a_port_on_the_external_interface()
    {
        var compiled = FabricCompiler.Compile(_model.Snapshot());

        var port = Assert.Single(compiled.ProgramOf("e2").Ports.Values, p => p.RealizationCase == PortConfig.RealizationOneofCase.External);
        Assert.Equal(("sdnx0", "internet", "sdnx0"), (port.Name, port.External.ExternalNetwork, port.External.Interface));
        Assert.Equal(MacAddress.GatewayOf(_model.Get(ResourceKinds.ExternalNetworks, "internet")), port.Mac);
        Assert.DoesNotContain(compiled.ProgramOf("e1").Ports.Values, p => p.RealizationCase == PortConfig.RealizationOneofCase.External);
    }

    [Theory]
    [InlineData(0xC6_33_64_02u)] // the gateway's address
    [InlineData(0xC6_33_64_0Au)] // h1's floating IP
    public void The_outside_asking_for_a_gateway_or_floating_address_is_answered_with_the_gateways_mac(uint address)
    {
        var reply = Assert.Single(_rig.Send("sdnx0", ArpRequest(address))["sdnx0"]);

        var gatewayMac = Convert.ToUInt64(MacAddress.GatewayOf(_model.Get(ResourceKinds.ExternalNetworks, "internet")).Replace(":", string.Empty, StringComparison.Ordinal), 16);
        Assert.Equal(ArpPacket.Reply, BinaryPrimitives.ReadUInt16BigEndian(reply.AsSpan(EthernetHeader.Size + 6)));
        Assert.Equal(gatewayMac, ReadMac(reply, EthernetHeader.Size + 8));
        Assert.Equal(address, BinaryPrimitives.ReadUInt32BigEndian(reply.AsSpan(EthernetHeader.Size + 14)));
        Assert.Equal(OutsideMac, ReadMac(reply, 0));
    }

    [Fact]
    public void Another_address_of_the_outside_is_not_answered_and_nothing_reaches_the_tenant()
    {
        var delivered = _rig.Send("sdnx0", ArpRequest(0xC6_33_64_0B));

        Assert.All(delivered.Values, frames => Assert.Empty(frames));
    }

    [Theory]
    [InlineData("h3")] // across the core from e1
    [InlineData("h2")] // on the gateway edge itself
    public void A_port_reaches_the_outside_through_its_router_from_the_gateways_address_and_gets_the_answer(string host)
    {
        var port = Port(host);

        var unresolved = _rig.Send(host, Udp(port, RedRouter, port.Ipv4, Server, ClientPort, Dns));
        Assert.Equal(ArpRequestFromGateway("198.51.100.1"), Assert.Single(unresolved["sdnx0"]));
        _rig.Send("sdnx0", ArpReply(OutsideMac, "198.51.100.1"));
        var sent = _rig.Send(host, Udp(port, RedRouter, port.Ipv4, Server, ClientPort, Dns));
        var answered = _rig.Send("sdnx0", Udp(GatewayMac, OutsideMac, Server, GatewayIp, Dns, ClientPort));

        Assert.Equal(Udp(OutsideMac, GatewayMac, GatewayIp, Server, ClientPort, Dns, ttl: 63), Assert.Single(sent["sdnx0"]));
        Assert.Equal(Udp(Traffic.Mac(port), RedRouter, Server, port.Ipv4, Dns, ClientPort, ttl: 63), Assert.Single(answered[host]));
        Assert.All(answered.Where(d => d.Key != host), d => Assert.Empty(d.Value));
    }

    [Theory]
    [InlineData("h3")]
    [InlineData("h2")]
    public void Under_a_stateful_rule_a_port_opens_to_the_outside_and_gets_its_answer_while_a_stranger_is_refused(string host)
    {
        _model.Create(ResourceKinds.AclRules, new AclRule { Name = "out", Tenant = "red", Priority = 200, Action = AclAction.Allow, Stateful = true, Protocol = 17, DstPorts = new PortRange { First = Dns, Last = Dns } });
        _model.Create(ResourceKinds.AclRules, new AclRule { Name = "rest", Tenant = "red", Priority = 100, Action = AclAction.Deny });
        _rig.Install(FabricCompiler.Compile(_model.Snapshot()));
        var port = Port(host);
        _rig.Send("sdnx0", ArpReply(OutsideMac, "198.51.100.1"));

        var sent = _rig.Send(host, Udp(port, RedRouter, port.Ipv4, Server, ClientPort, Dns));
        var answered = _rig.Send("sdnx0", Udp(GatewayMac, OutsideMac, Server, GatewayIp, Dns, ClientPort));
        var refused = _rig.Send(host, Udp(port, RedRouter, port.Ipv4, Server, ClientPort, 123));

        Assert.Equal(Udp(OutsideMac, GatewayMac, GatewayIp, Server, ClientPort, Dns, ttl: 63), Assert.Single(sent["sdnx0"]));
        Assert.Equal(Udp(Traffic.Mac(port), RedRouter, Server, port.Ipv4, Dns, ClientPort, ttl: 63), Assert.Single(answered[host]));
        Assert.All(refused.Values, frames => Assert.Empty(frames));
    }

    [Fact]
    public void A_destination_on_the_external_subnet_is_reached_straight_not_through_the_router()
    {
        var h3 = Port("h3");
        var neighbourMac = 0x02_00_00_00_00_77ul;

        var unresolved = _rig.Send("h3", Udp(h3, RedRouter, h3.Ipv4, Neighbour, ClientPort, Dns));
        _rig.Send("sdnx0", ArpReply(neighbourMac, Neighbour));
        var sent = _rig.Send("h3", Udp(h3, RedRouter, h3.Ipv4, Neighbour, ClientPort, Dns));

        Assert.Equal(ArpRequestFromGateway(Neighbour), Assert.Single(unresolved["sdnx0"]));
        Assert.Equal(Udp(neighbourMac, GatewayMac, GatewayIp, Neighbour, ClientPort, Dns, ttl: 63), Assert.Single(sent["sdnx0"]));
    }

    [Theory]
    [InlineData("h1", FloatingIp)] // across the core from the gateway edge
    [InlineData("h5", "198.51.100.13")] // on the gateway edge itself
    public void The_outside_reaches_a_port_at_its_floating_ip_and_the_port_answers_and_opens_from_it(string host, string floating)
    {
        var port = Port(host);
        _rig.Send("sdnx0", ArpReply(OutsideMac, "198.51.100.1"));

        var inbound = _rig.Send("sdnx0", Udp(GatewayMac, OutsideMac, Server, floating, 41000, 22));
        var answer = _rig.Send(host, Udp(port, RedRouter, port.Ipv4, Server, 22, 41000));
        var opened = _rig.Send(host, Udp(port, RedRouter, port.Ipv4, Server, 5000, 123));

        Assert.Equal(Udp(Traffic.Mac(port), RedRouter, Server, port.Ipv4, 41000, 22, ttl: 63), Assert.Single(inbound[host]));
        Assert.Equal(Udp(OutsideMac, GatewayMac, floating, Server, 22, 41000, ttl: 63), Assert.Single(answer["sdnx0"]));
        Assert.Equal(Udp(OutsideMac, GatewayMac, floating, Server, 5000, 123, ttl: 63), Assert.Single(opened["sdnx0"]));
    }

    [Fact]
    public void A_reply_to_the_gateways_address_that_no_connection_expects_reaches_no_port()
    {
        var delivered = _rig.Send("sdnx0", Udp(GatewayMac, OutsideMac, Server, GatewayIp, Dns, ClientPort));

        Assert.All(delivered.Values, frames => Assert.Empty(frames));
    }

    [Fact]
    public void A_packet_to_an_unused_address_of_the_tenants_own_subnet_does_not_go_outside()
    {
        var h3 = Port("h3");

        var delivered = _rig.Send("h3", Udp(h3, RedRouter, h3.Ipv4, "10.1.0.200", ClientPort, Dns));

        Assert.All(delivered.Values, frames => Assert.Empty(frames));
    }

    [Fact]
    public void A_port_added_later_with_a_floating_ip_is_answered_and_reached_there_once_the_incremental_compile_is_installed()
    {
        var compiler = new IncrementalCompiler(_model.Snapshot(), FabricCompiler.Compile(_model.Snapshot()));
        var port = _model.Create(ResourceKinds.Ports, new Port { Name = "h4", Network = "red.web", Edge = "e1", Kind = PortKind.Tap, FloatingIpv4 = "198.51.100.12" });
        compiler.Apply(EventType.Created, port);
        _rig.Install(compiler.Compiled);
        _rig.Send("sdnx0", ArpReply(OutsideMac, "198.51.100.1"));

        var arp = _rig.Send("sdnx0", ArpRequest(0xC6_33_64_0C));
        var inbound = _rig.Send("sdnx0", Udp(GatewayMac, OutsideMac, Server, "198.51.100.12", 41000, 22));
        var answer = _rig.Send("h4", Udp(port, RedRouter, port.Ipv4, Server, 22, 41000));

        Assert.Single(arp["sdnx0"]);
        Assert.Equal(Udp(Traffic.Mac(port), RedRouter, Server, port.Ipv4, 41000, 22, ttl: 63), Assert.Single(inbound["h4"]));
        Assert.Equal(Udp(OutsideMac, GatewayMac, "198.51.100.12", Server, 22, 41000, ttl: 63), Assert.Single(answer["sdnx0"]));
    }

    [Theory]
    [InlineData("h1", FloatingIp)]
    [InlineData("h5", "198.51.100.13")]
    public void A_deny_rule_on_a_ports_address_refuses_the_outside_at_its_floating_ip(string host, string floating)
    {
        var port = Port(host);
        Rule("deny-port", 200, AclAction.Deny, to: $"{port.Ipv4}/32");

        var refused = _rig.Send("sdnx0", Udp(GatewayMac, OutsideMac, Server, floating, 41000, 22));

        Assert.All(refused.Values, frames => Assert.Empty(frames));
    }

    [Fact]
    public void A_rules_from_prefix_is_the_outsides_own_address_at_a_floating_ip()
    {
        Rule("deny-server", 200, AclAction.Deny, from: $"{Server}/32");
        var h5 = Port("h5");

        var refused = _rig.Send("sdnx0", Udp(GatewayMac, OutsideMac, Server, "198.51.100.13", 41000, 22));
        var admitted = _rig.Send("sdnx0", Udp(GatewayMac, OutsideMac, "203.0.113.6", "198.51.100.13", 41000, 22));

        Assert.All(refused.Values, frames => Assert.Empty(frames));
        Assert.Equal(Udp(Traffic.Mac(h5), RedRouter, "203.0.113.6", h5.Ipv4, 41000, 22, ttl: 63), Assert.Single(admitted["h5"]));
    }

    [Fact]
    public void A_deny_rule_on_a_ports_address_refuses_even_the_replies_to_the_gateways_address()
    {
        var h3 = Port("h3");
        _rig.Send("sdnx0", ArpReply(OutsideMac, "198.51.100.1"));
        var sent = _rig.Send("h3", Udp(h3, RedRouter, h3.Ipv4, Server, ClientPort, Dns));
        Rule("deny-h3", 200, AclAction.Deny, to: $"{h3.Ipv4}/32");

        var refused = _rig.Send("sdnx0", Udp(GatewayMac, OutsideMac, Server, GatewayIp, Dns, ClientPort));

        Assert.Single(sent["sdnx0"]);
        Assert.All(refused.Values, frames => Assert.Empty(frames));
    }

    [Theory]
    [InlineData("h1", FloatingIp)]
    [InlineData("h5", "198.51.100.13")]
    public void Under_stateful_rules_the_outside_opens_only_what_a_rule_allows_and_the_port_answers(string host, string floating)
    {
        var port = Port(host);
        Rule("ssh-in", 200, AclAction.Allow, to: $"{port.Ipv4}/32", protocol: 17, ports: 22, stateful: true);
        Rule("rest", 100, AclAction.Deny);
        _rig.Send("sdnx0", ArpReply(OutsideMac, "198.51.100.1"));

        var opened = _rig.Send("sdnx0", Udp(GatewayMac, OutsideMac, Server, floating, 41000, 22));
        var answer = _rig.Send(host, Udp(port, RedRouter, port.Ipv4, Server, 22, 41000));
        var again = _rig.Send("sdnx0", Udp(GatewayMac, OutsideMac, Server, floating, 41000, 22));
        var refused = _rig.Send("sdnx0", Udp(GatewayMac, OutsideMac, Server, floating, 41000, 23));

        Assert.Equal(Udp(Traffic.Mac(port), RedRouter, Server, port.Ipv4, 41000, 22, ttl: 63), Assert.Single(opened[host]));
        Assert.Equal(Udp(OutsideMac, GatewayMac, floating, Server, 22, 41000, ttl: 63), Assert.Single(answer["sdnx0"]));
        Assert.Single(again[host]);
        Assert.All(refused.Values, frames => Assert.Empty(frames));
    }

    [Theory]
    [InlineData("h1", FloatingIp)]
    [InlineData("h5", "198.51.100.13")]
    public void Under_stateful_rules_the_answers_to_a_connection_a_port_opened_from_its_floating_ip_come_back(string host, string floating)
    {
        var port = Port(host);
        Rule("dns-out", 200, AclAction.Allow, from: $"{port.Ipv4}/32", protocol: 17, ports: Dns, stateful: true);
        Rule("rest", 100, AclAction.Deny);
        _rig.Send("sdnx0", ArpReply(OutsideMac, "198.51.100.1"));

        var sent = _rig.Send(host, Udp(port, RedRouter, port.Ipv4, Server, ClientPort, Dns));
        var answered = _rig.Send("sdnx0", Udp(GatewayMac, OutsideMac, Server, floating, Dns, ClientPort));
        var stranger = _rig.Send("sdnx0", Udp(GatewayMac, OutsideMac, Server, floating, Dns, ClientPort + 1));

        Assert.Equal(Udp(OutsideMac, GatewayMac, floating, Server, ClientPort, Dns, ttl: 63), Assert.Single(sent["sdnx0"]));
        Assert.Equal(Udp(Traffic.Mac(port), RedRouter, Server, port.Ipv4, Dns, ClientPort, ttl: 63), Assert.Single(answered[host]));
        Assert.All(stranger.Values, frames => Assert.Empty(frames));
    }

    [Fact]
    public void Under_stateful_rules_an_outside_connection_no_rule_matches_is_admitted_and_answered()
    {
        var h1 = Port("h1");
        Rule("other", 200, AclAction.Allow, to: "10.1.0.0/24", protocol: 6, stateful: true);
        _rig.Send("sdnx0", ArpReply(OutsideMac, "198.51.100.1"));

        var opened = _rig.Send("sdnx0", Udp(GatewayMac, OutsideMac, Server, FloatingIp, 41000, 22));
        var answer = _rig.Send("h1", Udp(h1, RedRouter, h1.Ipv4, Server, 22, 41000));

        Assert.Single(opened["h1"]);
        Assert.Equal(Udp(OutsideMac, GatewayMac, FloatingIp, Server, 22, 41000, ttl: 63), Assert.Single(answer["sdnx0"]));
    }

    [Fact]
    public void A_tenant_numbered_in_the_external_networks_zones_by_an_older_controller_is_numbered_below_them_again()
    {
        var compiled = FabricCompiler.Compile(_model.Snapshot());
        var numberings = compiled.Numberings.ToDictionary(n => n.Key, n => n.Value, StringComparer.Ordinal);
        numberings[CompiledFabric.TenantScope] = StableNumbering.Of(new Dictionary<string, uint> { ["red"] = CompileContext.FirstExternalZone });

        var renumbered = FabricCompiler.Compile(_model.Snapshot(), compiled with { Numberings = numberings });

        var red = renumbered.Numberings[CompiledFabric.TenantScope]["red"];
        Assert.InRange(red, 1u, CompileContext.FirstExternalZone - 1);
        Assert.NotEqual(renumbered.Numberings[CompiledFabric.ExternalScope]["internet"], red);
    }

    [Theory]
    [InlineData("h3", "h5", "198.51.100.13", GatewayIp)] // from across the core to a port on the gateway edge
    [InlineData("h2", "h1", FloatingIp, GatewayIp)] // from the gateway edge to a port across the core
    [InlineData("h1", "h5", "198.51.100.13", FloatingIp)] // from a port with a floating IP of its own
    public void A_port_reaches_another_ports_floating_ip_from_inside_as_the_gateway_or_its_own_floating_ip_and_gets_the_answer(string sender, string target, string floating, string seenAs)
    {
        var (from, to) = (Port(sender), Port(target));

        var sent = _rig.Send(sender, Udp(from, RedRouter, from.Ipv4, floating, ClientPort, 22));
        var answer = _rig.Send(target, Udp(to, RedRouter, to.Ipv4, seenAs, 22, ClientPort));

        Assert.Equal(Udp(Traffic.Mac(to), RedRouter, seenAs, to.Ipv4, ClientPort, 22, ttl: 62), Assert.Single(sent[target]));
        Assert.Equal(Udp(Traffic.Mac(from), RedRouter, floating, from.Ipv4, 22, ClientPort, ttl: 62), Assert.Single(answer[sender]));
        Assert.Empty(sent["sdnx0"]);
        Assert.Empty(answer["sdnx0"]);
    }

    [Fact]
    public void A_hairpinned_connection_meets_the_targets_rules_from_the_senders_translated_address()
    {
        var (h3, h5) = (Port("h3"), Port("h5"));
        Rule("no-gateway", 200, AclAction.Deny, from: $"{GatewayIp}/32", to: $"{h5.Ipv4}/32");

        var refused = _rig.Send("h3", Udp(h3, RedRouter, h3.Ipv4, "198.51.100.13", ClientPort, 22));

        Assert.All(refused.Values, frames => Assert.Empty(frames));
    }

    [Fact]
    public void A_port_sending_to_the_gateways_own_address_from_inside_reaches_no_port()
    {
        var h3 = Port("h3");

        var delivered = _rig.Send("h3", Udp(h3, RedRouter, h3.Ipv4, GatewayIp, ClientPort, 22));

        Assert.All(delivered.Values, frames => Assert.Empty(frames));
    }

    [Fact]
    public void Two_external_networks_with_one_subnet_on_one_gateway_edge_each_carry_their_own_tenants_traffic()
    {
        _model.Create(ResourceKinds.ExternalNetworks, new ExternalNetwork { Name = "other", Edge = "e2", Interface = "sdnx1", Ipv4Subnet = "198.51.100.0/24", Ipv4Address = "198.51.100.3" });
        _model.Create(ResourceKinds.Tenants, new Tenant { Name = "blue", External = "other" });
        _model.Create(ResourceKinds.Networks, new Network { Name = "blue.lan", Tenant = "blue", Ipv4Subnet = "10.9.0.0/24" });
        var b1 = _model.Create(ResourceKinds.Ports, new Port { Name = "b1", Network = "blue.lan", Edge = "e1", Kind = PortKind.Tap, Ipv4 = "10.9.0.10" });
        _rig.Install(FabricCompiler.Compile(_model.Snapshot()));
        var h3 = Port("h3");

        var red = _rig.Send("h3", Udp(h3, RedRouter, h3.Ipv4, Neighbour, ClientPort, Dns));
        var blue = _rig.Send("b1", Udp(b1, Traffic.Mac(MacAddress.RouterOf("blue")), b1.Ipv4, Neighbour, ClientPort, Dns));

        Assert.Single(red["sdnx0"]);
        Assert.Empty(red["sdnx1"]);
        Assert.Single(blue["sdnx1"]);
        Assert.Empty(blue["sdnx0"]);
    }

    private void Rule(string name, uint priority, AclAction action, string from = "", string to = "", uint protocol = 0, ushort ports = 0, bool stateful = false)
    {
        _model.Create(ResourceKinds.AclRules, new AclRule
        {
            Name = name,
            Tenant = "red",
            Priority = priority,
            Action = action,
            SrcCidr = from,
            DstCidr = to,
            Protocol = protocol,
            DstPorts = ports == 0 ? null : new PortRange { First = ports, Last = ports },
            Stateful = stateful,
        });
        _rig.Install(FabricCompiler.Compile(_model.Snapshot()));
    }

    private Port Port(string name) => _model.Get(ResourceKinds.Ports, name);

    private static byte[] Udp(Port from, ulong ethDst, string source, string destination, ushort sourcePort, ushort destinationPort) =>
        Udp(ethDst, Traffic.Mac(from), source, destination, sourcePort, destinationPort);

    private static byte[] Udp(ulong ethDst, ulong ethSrc, string source, string destination, ushort sourcePort, ushort destinationPort, byte ttl = 64) => Traffic.Build((ref FrameBuilder b) =>
    {
        b.Ethernet(ethDst, ethSrc, EtherTypes.Ipv4);
        b.Ipv4(Traffic.Ip(source), Traffic.Ip(destination), IpProtocols.Udp, ttl);
        b.Udp(sourcePort, destinationPort);
        b.Payload("outside"u8);
    });

    private byte[] ArpRequestFromGateway(string target) => Traffic.Build((ref FrameBuilder b) =>
    {
        b.Ethernet(EthernetHeader.Broadcast, GatewayMac, EtherTypes.Arp);
        b.Arp(ArpPacket.Request, GatewayMac, Traffic.Ip(GatewayIp), 0, Traffic.Ip(target));
    });

    private byte[] ArpReply(ulong mac, string address) => Traffic.Build((ref FrameBuilder b) =>
    {
        b.Ethernet(GatewayMac, mac, EtherTypes.Arp);
        b.Arp(ArpPacket.Reply, mac, Traffic.Ip(address), GatewayMac, Traffic.Ip(GatewayIp));
    });

    private static byte[] ArpRequest(uint target)
    {
        var frame = new byte[42];
        var builder = new FrameBuilder(frame);
        builder.Ethernet(0xFF_FF_FF_FF_FF_FF, OutsideMac, EtherTypes.Arp);
        builder.Arp(ArpPacket.Request, OutsideMac, OutsideIp, 0, target);
        Assert.True(builder.TryFinish(out var length));
        return frame[..length];
    }

    private static ulong ReadMac(byte[] frame, int at) => BinaryPrimitives.ReadUInt64BigEndian([0, 0, .. frame.AsSpan(at, 6)]);
}
