using Sdn.Contracts;
using Sdn.Fabric.Controller.Model;

namespace Sdn.Fabric.Controller.Tests.Model;

/// <summary>External networks, tenants attached to them and floating IPs: what the model accepts, refuses and keeps.</summary>
public class ExternalNetworkModelTests
{
    public static TheoryData<string> RefusedRequests => new(Cases.Keys);

    private static readonly Dictionary<string, (Func<FabricModel, object> Act, ModelError Error, string Message)> Cases = new()
    {
        { "external network on a missing edge", (m => m.Create(ResourceKinds.ExternalNetworks, External("x", edge: "e9")), ModelError.NotFound, "edge 'e9' does not exist") },
        { "external network without an interface", (m => m.Create(ResourceKinds.ExternalNetworks, External("x", iface: "")), ModelError.InvalidArgument, "interface is required") },
        { "external network with an interface name too long", (m => m.Create(ResourceKinds.ExternalNetworks, External("x", iface: "a-very-long-interface")), ModelError.InvalidArgument, "not a Linux interface name") },
        { "external network on an interface already used", (m => m.Create(ResourceKinds.ExternalNetworks, External("x", subnet: "192.0.2.0/24", address: "192.0.2.2")), ModelError.AlreadyExists, "already external network 'internet'") },
        { "external network without a subnet", (m => m.Create(ResourceKinds.ExternalNetworks, External("x", iface: "ext1", subnet: "")), ModelError.InvalidArgument, "ipv4_subnet is required") },
        { "external network without its address", (m => m.Create(ResourceKinds.ExternalNetworks, External("x", iface: "ext1", address: "")), ModelError.InvalidArgument, "ipv4_address is required") },
        { "external network with its address outside the subnet", (m => m.Create(ResourceKinds.ExternalNetworks, External("x", iface: "ext1", address: "192.0.2.2")), ModelError.InvalidArgument, "ipv4_address 192.0.2.2 is not a host address of 198.51.100.0/24") },
        { "external network whose router is its address", (m => m.Create(ResourceKinds.ExternalNetworks, External("x", iface: "ext1", router: "198.51.100.2")), ModelError.InvalidArgument, "is the gateway's own ipv4_address") },
        { "tenant of a missing external network", (m => m.Create(ResourceKinds.Tenants, new Tenant { Name = "t", External = "nowhere" }), ModelError.NotFound, "external network 'nowhere' does not exist") },
        { "network overlapping its tenant's external subnet", (m => m.Create(ResourceKinds.Networks, new Network { Name = "n", Tenant = "outco", Ipv4Subnet = "198.51.100.0/25" }), ModelError.FailedPrecondition, "overlaps 198.51.100.0/24 of external network 'internet'") },
        { "IPv6 network in a tenant whose external network has no IPv6 side", (m => m.Create(ResourceKinds.Networks, new Network { Name = "v6", Tenant = "outco", Ipv4Subnet = "10.9.0.0/24", Ipv6Subnet = "fd00:9::/64" }), ModelError.FailedPrecondition, "network 'v6' of tenant 'outco' has an IPv6 subnet, but external network 'internet', which the tenant reaches the outside through, has no IPv6 side, so only IPv4 crosses its gateway") },
        { "external network with an IPv6 address but no IPv6 subnet", (m => m.Create(ResourceKinds.ExternalNetworks, External("x", iface: "ext1", ipv6Subnet: "", ipv6Address: "2001:db8::2", ipv6Router: "")), ModelError.InvalidArgument, "ipv6_address needs an ipv6_subnet") },
        { "external network with an IPv6 subnet but no IPv6 address", (m => m.Create(ResourceKinds.ExternalNetworks, External("x", iface: "ext1", ipv6Subnet: "2001:db8::/64", ipv6Address: "", ipv6Router: "")), ModelError.InvalidArgument, "ipv6_address is required: the gateway's own address in 2001:db8::/64") },
        { "external network with an IPv4 address as its IPv6 subnet", (m => m.Create(ResourceKinds.ExternalNetworks, External("x", iface: "ext1", ipv6Subnet: "192.0.2.0/24", ipv6Address: "2001:db8::2", ipv6Router: "")), ModelError.InvalidArgument, "ipv6_subnet") },
        { "external network with its IPv6 address outside the IPv6 subnet", (m => m.Create(ResourceKinds.ExternalNetworks, External("x", iface: "ext1", ipv6Subnet: "2001:db8::/64", ipv6Address: "2001:db9::2", ipv6Router: "")), ModelError.InvalidArgument, "ipv6_address 2001:db9::2 is not a host address of 2001:db8::/64") },
        { "external network whose IPv6 router is its IPv6 address", (m => m.Create(ResourceKinds.ExternalNetworks, External("x", iface: "ext1", ipv6Subnet: "2001:db8::/64", ipv6Address: "2001:db8::2", ipv6Router: "2001:db8::2")), ModelError.InvalidArgument, "ipv6_router 2001:db8::2 is the gateway's own ipv6_address") },
        { "floating IPv6 where the external network has no IPv6 side", (m => m.Create(ResourceKinds.Ports, new Port { Name = "p", Network = "lan", Edge = "e1", FloatingIpv6 = "2001:db8::10" }), ModelError.InvalidArgument, "port 'p' has floating_ipv6 2001:db8::10, but no IPv6 address") },
        { "floating IP in a tenant without an external network", (m => m.Create(ResourceKinds.Ports, new Port { Name = "p", Network = "web", Edge = "e1", FloatingIpv4 = "198.51.100.20" }), ModelError.FailedPrecondition, "tenant 'acme' has no external network") },
        { "floating IP outside the external subnet", (m => m.Create(ResourceKinds.Ports, new Port { Name = "p", Network = "lan", Edge = "e1", FloatingIpv4 = "192.0.2.20" }), ModelError.InvalidArgument, "floating_ipv4 192.0.2.20 is not a host address of 198.51.100.0/24") },
        { "floating IP that is the gateway's address", (m => m.Create(ResourceKinds.Ports, new Port { Name = "p", Network = "lan", Edge = "e1", FloatingIpv4 = "198.51.100.2" }), ModelError.AlreadyExists, "the gateway's own address") },
        { "floating IP that is the router", (m => m.Create(ResourceKinds.Ports, new Port { Name = "p", Network = "lan", Edge = "e1", FloatingIpv4 = "198.51.100.1" }), ModelError.AlreadyExists, "is the router of external network 'internet'") },
        { "floating IP held by another port", (m => m.Create(ResourceKinds.Ports, new Port { Name = "p", Network = "lan", Edge = "e1", FloatingIpv4 = "198.51.100.10" }), ModelError.AlreadyExists, "already the floating IP of port 'lan1'") },
        { "deleting an external network with tenants", (m => Delete(m, ResourceKinds.ExternalNetworks, "internet"), ModelError.FailedPrecondition, "still used by tenant(s) 'outco'") },
        { "deleting the gateway edge", (m => Delete(m, ResourceKinds.Edges, "e2"), ModelError.FailedPrecondition, "external network(s) 'internet'") },
    };

    [Theory]
    [MemberData(nameof(RefusedRequests))]
    public void Refused_request_changes_nothing(string request)
    {
        var (act, error, message) = Cases[request];
        using var fixture = WithExternal();
        var before = fixture.Model.Snapshot();
        using var watch = fixture.Model.Watch(includeExisting: false);

        var refused = Assert.Throws<ModelException>(() => act(fixture.Model));

        Assert.True(error == refused.Error, $"{request}: expected {error}, got {refused.Error}: {refused.Message}");
        Assert.Contains(message, refused.Message, StringComparison.Ordinal);
        Assert.Equal(before, fixture.Model.Snapshot());
        Assert.False(watch.Reader.TryRead(out _), $"{request}: a refused request was announced");
    }

    [Fact]
    public void An_external_network_beyond_the_conntrack_zones_kept_for_them_is_refused()
    {
        using var fixture = WithExternal();
        for (var i = 1; i < ExternalNetworks.MaxExternalNetworks; i++)
        {
            fixture.Model.Create(ResourceKinds.ExternalNetworks, External($"x{i}", iface: $"ext{i}"));
        }

        var refused = Assert.Throws<ModelException>(() => fixture.Model.Create(ResourceKinds.ExternalNetworks, External("one-more", iface: "ext-more")));

        Assert.Equal(ModelError.FailedPrecondition, refused.Error);
        Assert.Contains($"the fabric has {ExternalNetworks.MaxExternalNetworks} external networks", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_tenant_beyond_the_zones_below_the_external_networks_is_refused_by_name()
    {
        // No store: 65,279 creates journalled to disk would take the test most of a minute.
        var model = new FabricModel(store: null);
        for (var i = 0; i < Tenants.MaxTenants; i++)
        {
            model.Create(ResourceKinds.Tenants, new Tenant { Name = $"t{i}" });
        }

        var refused = Assert.Throws<ModelException>(() => model.Create(ResourceKinds.Tenants, new Tenant { Name = "one-more" }));

        Assert.Equal(ModelError.FailedPrecondition, refused.Error);
        Assert.Contains($"tenant 'one-more' would be one too many: the fabric holds at most {Tenants.MaxTenants} tenants", refused.Message, StringComparison.Ordinal);
        Assert.Equal(65279, Tenants.MaxTenants);
    }

    [Fact]
    public void An_external_network_is_stored_normalised_and_survives_a_restart()
    {
        using var fixture = WithExternal();

        var restarted = fixture.Restart();

        var external = restarted.Get(ResourceKinds.ExternalNetworks, "internet");
        Assert.Equal(("e2", "sdnx0", "198.51.100.0/24", "198.51.100.2", "198.51.100.1"), (external.Edge, external.Interface, external.Ipv4Subnet, external.Ipv4Address, external.Ipv4Router));
        Assert.Equal("internet", restarted.Get(ResourceKinds.Tenants, "outco").External);
        Assert.Equal("198.51.100.10", restarted.Get(ResourceKinds.Ports, "lan1").FloatingIpv4);
    }

    [Fact]
    public void A_floating_ip_is_free_again_once_its_port_is_deleted()
    {
        using var fixture = WithExternal();
        fixture.Model.Delete(ResourceKinds.Ports, "lan1");

        var port = fixture.Model.Create(ResourceKinds.Ports, new Port { Name = "lan2", Network = "lan", Edge = "e1", FloatingIpv4 = "198.51.100.10" });

        Assert.Equal("198.51.100.10", port.FloatingIpv4);
    }

    [Fact]
    public void Tenants_of_one_external_network_share_its_floating_ips_and_another_tenant_may_reuse_their_subnet()
    {
        using var fixture = WithExternal();
        fixture.Model.Create(ResourceKinds.Tenants, new Tenant { Name = "other", External = "internet" });
        fixture.Model.Create(ResourceKinds.Networks, new Network { Name = "lan-b", Tenant = "other", Ipv4Subnet = "10.8.0.0/24" });

        var refused = Assert.Throws<ModelException>(() => fixture.Model.Create(ResourceKinds.Ports, new Port { Name = "b1", Network = "lan-b", Edge = "e1", FloatingIpv4 = "198.51.100.10" }));

        Assert.Contains("already the floating IP of port 'lan1'", refused.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string> RefusedIpv6Requests => new(Ipv6Cases.Keys);

    private static readonly Dictionary<string, (Func<FabricModel, object> Act, ModelError Error, string Message)> Ipv6Cases = new()
    {
        { "IPv6 network overlapping the external IPv6 subnet", (m => m.Create(ResourceKinds.Networks, new Network { Name = "n", Tenant = "outco", Ipv4Subnet = "10.9.0.0/24", Ipv6Subnet = "2001:db8:100::/56" }), ModelError.FailedPrecondition, "network 'n' overlaps 2001:db8:100::/64 of external network 'internet'") },
        { "floating IPv6 outside the external IPv6 subnet", (m => m.Create(ResourceKinds.Ports, new Port { Name = "p", Network = "lan", Edge = "e1", FloatingIpv6 = "2001:db8:200::10" }), ModelError.InvalidArgument, "floating_ipv6 2001:db8:200::10 is not a host address of 2001:db8:100::/64") },
        { "floating IPv6 given as an IPv4 address", (m => m.Create(ResourceKinds.Ports, new Port { Name = "p", Network = "lan", Edge = "e1", FloatingIpv6 = "198.51.100.20" }), ModelError.InvalidArgument, "floating_ipv6") },
        { "floating IPv6 that is the gateway's IPv6 address", (m => m.Create(ResourceKinds.Ports, new Port { Name = "p", Network = "lan", Edge = "e1", FloatingIpv6 = "2001:db8:100::2" }), ModelError.AlreadyExists, "floating_ipv6 2001:db8:100::2 is the gateway's own address of external network 'internet'") },
        { "floating IPv6 that is the IPv6 router", (m => m.Create(ResourceKinds.Ports, new Port { Name = "p", Network = "lan", Edge = "e1", FloatingIpv6 = "2001:db8:100::1" }), ModelError.AlreadyExists, "is the router of external network 'internet'") },
        { "floating IPv6 held by another port", (m => m.Create(ResourceKinds.Ports, new Port { Name = "p", Network = "lan", Edge = "e1", FloatingIpv6 = "2001:db8:100::10" }), ModelError.AlreadyExists, "floating_ipv6 2001:db8:100::10 of external network 'internet' is already the floating IP of port 'lan1'") },
        { "floating IPv6 of a port without an IPv6 address", (m => m.Create(ResourceKinds.Ports, new Port { Name = "p", Network = "only4", Edge = "e1", FloatingIpv6 = "2001:db8:100::20" }), ModelError.InvalidArgument, "network 'only4' has no ipv6_subnet") },
    };

    [Theory]
    [MemberData(nameof(RefusedIpv6Requests))]
    public void Refused_ipv6_request_changes_nothing(string request)
    {
        var (act, error, message) = Ipv6Cases[request];
        using var fixture = WithIpv6External();
        var before = fixture.Model.Snapshot();

        var refused = Assert.Throws<ModelException>(() => act(fixture.Model));

        Assert.True(error == refused.Error, $"{request}: expected {error}, got {refused.Error}: {refused.Message}");
        Assert.Contains(message, refused.Message, StringComparison.Ordinal);
        Assert.Equal(before, fixture.Model.Snapshot());
    }

    [Fact]
    public void An_ipv6_side_lets_a_dual_stack_tenant_attach_and_is_stored_normalised_across_a_restart()
    {
        using var fixture = WithIpv6External();

        var restarted = fixture.Restart();

        var external = restarted.Get(ResourceKinds.ExternalNetworks, "internet");
        Assert.Equal(("2001:db8:100::/64", "2001:db8:100::2", "2001:db8:100::1"), (external.Ipv6Subnet, external.Ipv6Address, external.Ipv6Router));
        var port = restarted.Get(ResourceKinds.Ports, "lan1");
        Assert.Equal(("198.51.100.10", "2001:db8:100::10"), (port.FloatingIpv4, port.FloatingIpv6));
    }

    [Fact]
    public void A_floating_ipv6_is_free_again_once_its_port_is_deleted_and_an_ipv4_one_never_collides_with_it()
    {
        using var fixture = WithIpv6External();
        fixture.Model.Delete(ResourceKinds.Ports, "lan1");

        var port = fixture.Model.Create(ResourceKinds.Ports, new Port { Name = "lan2", Network = "lan", Edge = "e1", FloatingIpv4 = "198.51.100.10", FloatingIpv6 = "2001:db8:100:0::10" });

        Assert.Equal(("198.51.100.10", "2001:db8:100::10"), (port.FloatingIpv4, port.FloatingIpv6));
    }

    /// <summary>
    /// External network internet with an IPv6 side (2001:db8:100::/64, the gateway at ::2, the router at ::1), dual-stack
    /// tenant outco attached to it, its port lan1 with floating IPs 198.51.100.10 and 2001:db8:100::10, and an IPv4-only network only4.
    /// </summary>
    private static ModelFixture WithIpv6External()
    {
        var fixture = new ModelFixture();
        fixture.Model.Create(ResourceKinds.ExternalNetworks, External("internet", router: "198.51.100.1", ipv6Subnet: "2001:db8:100::/64", ipv6Address: "2001:db8:100::2", ipv6Router: "2001:db8:100::1"));
        fixture.Model.Create(ResourceKinds.Tenants, new Tenant { Name = "outco", External = "internet" });
        fixture.Model.Create(ResourceKinds.Networks, new Network { Name = "lan", Tenant = "outco", Ipv4Subnet = "10.8.0.0/24", Ipv6Subnet = "fd00:8::/64" });
        fixture.Model.Create(ResourceKinds.Networks, new Network { Name = "only4", Tenant = "outco", Ipv4Subnet = "10.9.0.0/24" });
        fixture.Model.Create(ResourceKinds.Ports, new Port { Name = "lan1", Network = "lan", Edge = "e1", FloatingIpv4 = "198.51.100.10", FloatingIpv6 = "2001:db8:100::10" });
        return fixture;
    }

    /// <summary>The fixture's fabric plus external network internet on e2, tenant outco attached to it, and port lan1 with floating IP 198.51.100.10.</summary>
    private static ModelFixture WithExternal()
    {
        var fixture = new ModelFixture();
        fixture.Model.Create(ResourceKinds.ExternalNetworks, External("internet", router: "198.51.100.1"));
        fixture.Model.Create(ResourceKinds.Tenants, new Tenant { Name = "outco", External = "internet" });
        fixture.Model.Create(ResourceKinds.Networks, new Network { Name = "lan", Tenant = "outco", Ipv4Subnet = "10.8.0.0/24" });
        fixture.Model.Create(ResourceKinds.Ports, new Port { Name = "lan1", Network = "lan", Edge = "e1", FloatingIpv4 = "198.51.100.10" });
        return fixture;
    }

    private static ExternalNetwork External(
        string name, string edge = "e2", string iface = "sdnx0", string subnet = "198.51.100.0/24", string address = "198.51.100.2", string router = "",
        string ipv6Subnet = "", string ipv6Address = "", string ipv6Router = "") =>
        new()
        {
            Name = name,
            Edge = edge,
            Interface = iface,
            Ipv4Subnet = subnet,
            Ipv4Address = address,
            Ipv4Router = router,
            Ipv6Subnet = ipv6Subnet,
            Ipv6Address = ipv6Address,
            Ipv6Router = ipv6Router,
        };

    private static string Delete<T>(FabricModel model, ResourceKind<T> kind, string name)
        where T : class, Google.Protobuf.IMessage<T>
    {
        model.Delete(kind, name);
        return name;
    }
}
