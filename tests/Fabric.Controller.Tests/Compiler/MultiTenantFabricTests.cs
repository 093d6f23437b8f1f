using Sdn.Contracts;
using Sdn.Fabric.Controller.Compiler;
using Sdn.Fabric.Controller.Model;
using Sdn.Fabric.Edge.Datapath;

namespace Sdn.Fabric.Controller.Tests.Compiler;

/// <summary>
/// topologies/multi-tenant.yaml compiled and installed into real edges and a real core node: the edges' traces
/// and real frames show every same-network pair connected over the expected labels and every cross-tenant
/// pair denied.
/// </summary>
public sealed class MultiTenantFabricTests : IDisposable
{
    private readonly FabricState _state;
    private readonly CompiledFabric _compiled;
    private readonly FabricRig _rig;

    public MultiTenantFabricTests()
    {
        var model = Topologies.MultiTenant();
        model.Create(ResourceKinds.AclRules, new AclRule { Name = "alpha-no-telnet", Tenant = "alpha", Priority = 300, Action = AclAction.Deny, Protocol = 6, DstPorts = new PortRange { First = 23, Last = 23 } });
        _state = model.Snapshot();
        _compiled = FabricCompiler.Compile(_state);
        _rig = new FabricRig(_state);
        _rig.Install(_compiled);
    }

    public static TheoryData<string, string> SameNetworkPairs() => Pairs(same: true);

    public static TheoryData<string, string> CrossTenantPairs() => Pairs(same: false);

    [Theory]
    [MemberData(nameof(SameNetworkPairs))]
    public void Ports_of_one_network_reach_each_other_over_the_expected_labels(string from, string to)
    {
        var (a, b) = (Port(from), Port(to));

        var trace = _rig.Edges[a.Edge].Trace(_compiled.VnicNumber(a.Edge, a.Name), Traffic.Udp(a, b));

        if (a.Edge == b.Edge)
        {
            Assert.Equal([_compiled.VnicNumber(b.Edge, b.Name)], trace.Outputs);
            Assert.DoesNotContain(trace.Actions, x => x.Kind == DatapathActionKind.PushMpls);
        }
        else
        {
            var uplink = _state.Links.Single(l => l.A.Node == a.Edge || l.B.Node == a.Edge);
            Assert.Equal([_compiled.UplinkNumber(a.Edge, uplink.Name)], trace.Outputs);
            Assert.Equal(
                [_compiled.ServiceLabel(b.Edge, b.Name), _compiled.TransportLabel("c1", b.Edge)],
                trace.Actions.Select(x => x.MplsLabelWritten).OfType<uint>());
        }

        var frame = Traffic.Udp(a, b);
        var received = _rig.Send(a.Name, frame);
        Assert.Equal([frame], received[b.Name]);
        Assert.All(received.Where(r => r.Key != b.Name), r => Assert.Empty(r.Value));
    }

    [Theory]
    [MemberData(nameof(CrossTenantPairs))]
    public void Ports_of_different_tenants_never_reach_each_other(string from, string to)
    {
        var (a, b) = (Port(from), Port(to));

        var trace = _rig.Edges[a.Edge].Trace(_compiled.VnicNumber(a.Edge, a.Name), Traffic.Udp(a, b));

        Assert.True(trace.Dropped, trace.ToString());
        Assert.Equal(EdgeTables.Forward, trace.Steps[^1].TableId);
        Assert.All(_rig.Send(a.Name, Traffic.Udp(a, b)), r => Assert.Empty(r.Value));
        Assert.All(_rig.Send(a.Name, Traffic.ArpRequest(a, b.Ipv4)), r => Assert.Empty(r.Value));
    }

    [Fact]
    public void Arp_for_a_neighbour_is_answered_at_the_edge_with_its_mac()
    {
        var (a, b) = (Port("alpha-f1"), Port("alpha-f2"));

        var received = _rig.Send(a.Name, Traffic.ArpRequest(a, b.Ipv4));

        var reply = Assert.Single(received[a.Name]);
        Assert.Equal(Traffic.Mac(b), Convert.ToUInt64(Convert.ToHexString(reply.AsSpan(6, 6)), 16));
        Assert.All(received.Where(r => r.Key != a.Name), r => Assert.Empty(r.Value));
    }

    [Fact]
    public void The_tenants_acl_drops_what_it_denies_and_passes_the_rest()
    {
        var (a, b) = (Port("alpha-f1"), Port("alpha-f2"));
        var inPort = _compiled.VnicNumber(a.Edge, a.Name);

        var telnet = _rig.Edges[a.Edge].Trace(inPort, Traffic.Tcp(a, b, 23));
        var ssh = _rig.Edges[a.Edge].Trace(inPort, Traffic.Tcp(a, b, 22));

        Assert.True(telnet.Dropped);
        Assert.Equal(EdgeTables.Acl, telnet.Steps[^1].TableId);
        Assert.False(ssh.Dropped);
        Assert.Equal([Traffic.Tcp(a, b, 22)], _rig.Send(a.Name, Traffic.Tcp(a, b, 22))[b.Name]);
        Assert.Empty(_rig.Send(a.Name, Traffic.Tcp(a, b, 23))[b.Name]);
    }

    [Fact]
    public void A_port_the_controller_did_not_configure_is_dropped_at_classification()
    {
        var a = Port("alpha-f1");

        var trace = _rig.Edges[a.Edge].Trace(999, Traffic.Udp(a, Port("alpha-f2")));

        Assert.True(trace.Dropped);
        Assert.Equal([EdgeTables.Classify], trace.Steps.Select(s => (uint)s.TableId));
    }

    public void Dispose() => _rig.Dispose();

    private Port Port(string name) => _state.Ports.Single(p => p.Name == name);

    private static TheoryData<string, string> Pairs(bool same)
    {
        var snapshot = Topologies.MultiTenant().Snapshot();
        var tenantOf = snapshot.Networks.ToDictionary(n => n.Name, n => n.Tenant);
        var data = new TheoryData<string, string>();
        foreach (var a in snapshot.Ports)
        {
            foreach (var b in snapshot.Ports.Where(b => b.Name != a.Name))
            {
                if (same ? a.Network == b.Network : tenantOf[a.Network] != tenantOf[b.Network])
                {
                    data.Add(a.Name, b.Name);
                }
            }
        }

        return data;
    }
}
