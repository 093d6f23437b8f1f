using Sdn.Contracts;
using Sdn.Fabric.Controller.Compiler;
using Sdn.Fabric.Controller.Model;

namespace Sdn.Fabric.Controller.Tests.Compiler;

/// <summary>
/// The tenants' distributed routers and port security of topologies/multi-tenant.yaml, installed into real edges
/// and a real core node: alpha's front reaches its back only where its ACL allows, beta reaches neither, and no
/// port sends as another.
/// </summary>
public sealed class RoutingTests : IDisposable
{
    private const ushort Postgres = 5432;
    private const int EthSourceOffset = 6;
    private const int Ipv4TtlOffset = 14 + 8;
    private const int L4Offset = 14 + 20;
    private const int Ipv6HopLimitOffset = 14 + 7;

    private readonly FabricState _state;
    private readonly CompiledFabric _compiled;
    private readonly FabricRig _rig;

    public RoutingTests()
    {
        var model = Topologies.MultiTenant();
        model.Create(ResourceKinds.Ports, new Port { Name = "alpha-r1", Network = "alpha.front", Edge = "e1", PortSecurity = false });
        foreach (var (network, ipv4, ipv6) in new[] { ("alpha.v6a", "10.0.3.0/24", "fd00:a::/64"), ("alpha.v6b", "10.0.4.0/24", "fd00:b::/64") })
        {
            model.Create(ResourceKinds.Networks, new Network { Name = network, Tenant = "alpha", Ipv4Subnet = ipv4, Ipv6Subnet = ipv6 });
        }

        model.Create(ResourceKinds.Ports, new Port { Name = "v6a", Network = "alpha.v6a", Edge = "e1" });
        model.Create(ResourceKinds.Ports, new Port { Name = "v6b", Network = "alpha.v6b", Edge = "e2" });
        model.Create(ResourceKinds.AclRules, new AclRule { Name = "no-v6-telnet", Tenant = "alpha", Priority = 300, Action = AclAction.Deny, DstCidr = "fd00:b::/64", Protocol = 6, DstPorts = new PortRange { First = 23, Last = 23 } });
        _state = model.Snapshot();
        _compiled = FabricCompiler.Compile(_state);
        _rig = new FabricRig(_state);
        _rig.Install(_compiled);
    }

    private static ulong AlphaRouter => Traffic.Mac(MacAddress.RouterOf("alpha"));

    [Fact]
    public void A_packet_to_the_router_reaches_a_port_of_the_tenants_other_network_rewritten_for_one_hop()
    {
        var (front, back) = (Port("alpha-f1"), Port("alpha-b1"));
        var frame = Traffic.Tcp(front, AlphaRouter, back.Ipv4, Postgres);

        var trace = _rig.Edges[front.Edge].Trace(_compiled.VnicNumber(front.Edge, front.Name), frame);
        var delivered = Assert.Single(_rig.Send(front.Name, frame)[back.Name]);

        Assert.Contains(trace.Steps, s => s.TableId == EdgeTables.Route);
        Assert.Equal(Traffic.Mac(back), Mac(delivered, 0));
        Assert.Equal(AlphaRouter, Mac(delivered, EthSourceOffset));
        Assert.Equal(frame[Ipv4TtlOffset] - 1, delivered[Ipv4TtlOffset]);
        Assert.Equal(frame[L4Offset..], delivered[L4Offset..]);
    }

    [Fact]
    public void The_tenants_acl_applies_to_routed_packets()
    {
        var (front, back) = (Port("alpha-f1"), Port("alpha-b1"));

        var http = _rig.Edges[front.Edge].Trace(_compiled.VnicNumber(front.Edge, front.Name), Traffic.Tcp(front, AlphaRouter, back.Ipv4, 80));

        Assert.True(http.Dropped);
        Assert.Equal(EdgeTables.Acl, http.Steps[^1].TableId);
        Assert.All(_rig.Send(front.Name, Traffic.Tcp(front, AlphaRouter, back.Ipv4, 80)), r => Assert.Empty(r.Value));
    }

    [Fact]
    public void Another_tenant_with_the_same_subnet_routes_to_none_of_alphas_ports()
    {
        var beta = Port("beta-f1");
        var betaRouter = Traffic.Mac(MacAddress.RouterOf("beta"));

        foreach (var target in new[] { Port("alpha-b1"), Port("alpha-f2") })
        {
            Assert.All(_rig.Send(beta.Name, Traffic.Tcp(beta, betaRouter, target.Ipv4, Postgres)), r => Assert.Empty(r.Value));
            Assert.All(_rig.Send(beta.Name, Traffic.Tcp(beta, AlphaRouter, target.Ipv4, Postgres)), r => Assert.Empty(r.Value));
        }
    }

    [Fact]
    public void A_routed_packet_whose_ttl_expires_is_dropped()
    {
        var (front, back) = (Port("alpha-f1"), Port("alpha-b1"));

        var received = _rig.Send(front.Name, Traffic.Tcp(front, AlphaRouter, back.Ipv4, Postgres, ttl: 1));

        Assert.All(received, r => Assert.Empty(r.Value));
    }

    [Fact]
    public void Ipv6_is_routed_as_ipv4_is_and_meets_the_tenants_ipv6_acl()
    {
        var (a, b) = (Port("v6a"), Port("v6b"));

        var ssh = Assert.Single(_rig.Send(a.Name, Traffic.Tcp6(a, AlphaRouter, b.Ipv6, 22))[b.Name]);
        var telnet = _rig.Edges[a.Edge].Trace(_compiled.VnicNumber(a.Edge, a.Name), Traffic.Tcp6(a, AlphaRouter, b.Ipv6, 23));

        Assert.Equal((Traffic.Mac(b), AlphaRouter), (Mac(ssh, 0), Mac(ssh, EthSourceOffset)));
        Assert.Equal(63, ssh[Ipv6HopLimitOffset]);
        Assert.True(telnet.Dropped);
        Assert.Equal(EdgeTables.Acl, telnet.Steps[^1].TableId);
    }

    [Theory]
    [InlineData("alpha.front", "10.0.1.1")]
    [InlineData("alpha.back", "10.0.2.1")]
    public void Each_networks_gateway_answers_arp_with_the_router_mac(string network, string gateway)
    {
        var asker = _state.Ports.First(p => p.Network == network);

        var reply = Assert.Single(_rig.Send(asker.Name, Traffic.ArpRequest(asker, gateway))[asker.Name]);

        Assert.Equal(AlphaRouter, Mac(reply, EthSourceOffset));
    }

    [Fact]
    public void A_port_sending_as_another_is_dropped_and_counted_as_spoofed()
    {
        var (spoofer, victim, target) = (Port("alpha-f1"), Port("alpha-r1"), Port("alpha-f2"));
        var asVictimIp = Traffic.Udp(Pretending(spoofer, p => p.Ipv4 = victim.Ipv4), target);
        var asVictimMac = Traffic.Udp(Pretending(spoofer, p => p.Mac = victim.Mac), target);
        var inPort = _compiled.VnicNumber(spoofer.Edge, spoofer.Name);

        var trace = _rig.Edges[spoofer.Edge].Trace(inPort, asVictimIp);

        Assert.True(trace.Dropped);
        Assert.Equal(EdgeTables.PortSecurity, trace.Steps[^1].TableId);
        Assert.All(_rig.Send(spoofer.Name, asVictimIp), r => Assert.Empty(r.Value));
        Assert.All(_rig.Send(spoofer.Name, asVictimMac), r => Assert.Empty(r.Value));
        Assert.All(_rig.Send(spoofer.Name, Traffic.ArpRequest(Pretending(spoofer, p => p.Ipv4 = victim.Ipv4), target.Ipv4)), r => Assert.Empty(r.Value));
        Assert.Single(_rig.Send(spoofer.Name, Traffic.Udp(spoofer, target))[target.Name]);
        Assert.Equal(3, _rig.Edges[spoofer.Edge].Datapath.PortCounters(inPort)!.RxSpoofed);
    }

    [Fact]
    public void An_arp_probe_is_no_spoof_and_is_not_answered()
    {
        var (prober, neighbour) = (Port("alpha-f1"), Port("alpha-f2"));

        var received = _rig.Send(prober.Name, Traffic.ArpRequest(Pretending(prober, p => p.Ipv4 = "0.0.0.0"), neighbour.Ipv4));

        Assert.All(received, r => Assert.Empty(r.Value));
        Assert.Equal(0, _rig.Edges[prober.Edge].Datapath.PortCounters(_compiled.VnicNumber(prober.Edge, prober.Name))!.RxSpoofed);
    }

    [Fact]
    public void A_port_without_port_security_may_send_as_any_address()
    {
        var (router, target) = (Port("alpha-r1"), Port("alpha-f2"));

        var received = _rig.Send(router.Name, Traffic.Udp(Pretending(router, p => p.Ipv4 = "192.0.2.7"), target));

        Assert.Single(received[target.Name]);
    }

    public void Dispose() => _rig.Dispose();

    /// <summary>A copy of <paramref name="port"/> claiming what <paramref name="claim"/> sets, to build frames from.</summary>
    private static Port Pretending(Port port, Action<Port> claim)
    {
        var pretender = port.Clone();
        claim(pretender);
        return pretender;
    }

    private static ulong Mac(byte[] frame, int offset) => Convert.ToUInt64(Convert.ToHexString(frame.AsSpan(offset, 6)), 16);

    private Port Port(string name) => _state.Ports.Single(p => p.Name == name);
}
