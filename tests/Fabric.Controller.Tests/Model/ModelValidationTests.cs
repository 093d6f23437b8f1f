using Google.Protobuf;
using Sdn.Contracts;
using Sdn.Fabric.Controller.Model;

namespace Sdn.Fabric.Controller.Tests.Model;

/// <summary>Every way a request is refused: the error, a message naming the problem, and nothing changed.</summary>
public class ModelValidationTests
{
    public static TheoryData<string> RefusedRequests => new(Cases.Keys);

    private static readonly Dictionary<string, (Func<FabricModel, object> Act, ModelError Error, string Message)> Cases = new()
    {
        { "tenant without a name", (m => m.Create(ResourceKinds.Tenants, new Tenant()), ModelError.InvalidArgument, "needs a name") },
        { "tenant with a slash in its name", (m => m.Create(ResourceKinds.Tenants, new Tenant { Name = "a/b" }), ModelError.InvalidArgument, "'a/b' is invalid") },
        { "duplicate tenant", (m => m.Create(ResourceKinds.Tenants, new Tenant { Name = "acme" }), ModelError.AlreadyExists, "tenant 'acme' already exists") },
        { "network of a missing tenant", (m => m.Create(ResourceKinds.Networks, Net("n", "nobody", "10.9.0.0/24")), ModelError.NotFound, "tenant 'nobody' does not exist") },
        { "network without a tenant", (m => m.Create(ResourceKinds.Networks, Net("n", "", "10.9.0.0/24")), ModelError.InvalidArgument, "tenant is required") },
        { "network without a subnet", (m => m.Create(ResourceKinds.Networks, Net("n", "acme", "")), ModelError.InvalidArgument, "ipv4_subnet is required") },
        { "network with a malformed subnet", (m => m.Create(ResourceKinds.Networks, Net("n", "acme", "10.9.0.0/33")), ModelError.InvalidArgument, "not an IPv4 CIDR") },
        { "network with host bits set", (m => m.Create(ResourceKinds.Networks, Net("n", "acme", "10.9.0.1/24")), ModelError.InvalidArgument, "did you mean 10.9.0.0/24") },
        { "network too small for hosts", (m => m.Create(ResourceKinds.Networks, Net("n", "acme", "10.9.0.0/31")), ModelError.InvalidArgument, "at most /30") },
        { "network with a gateway outside", (m => m.Create(ResourceKinds.Networks, Net("n", "acme", "10.9.0.0/24", gateway: "10.8.0.1")), ModelError.InvalidArgument, "not a host address of 10.9.0.0/24") },
        { "network with the broadcast as gateway", (m => m.Create(ResourceKinds.Networks, Net("n", "acme", "10.9.0.0/24", gateway: "10.9.0.255")), ModelError.InvalidArgument, "not a host address") },
        { "network with a DNS server that is no IPv4 address", (m => m.Create(ResourceKinds.Networks, new Network { Name = "n", Tenant = "acme", Ipv4Subnet = "10.9.0.0/24", Ipv4DnsServer = "fd00::53" }), ModelError.InvalidArgument, "ipv4_dns_server 'fd00::53' is not a unicast IPv4 address") },
        { "network with an IPv6 gateway and no IPv6 subnet", (m => m.Create(ResourceKinds.Networks, new Network { Name = "n", Tenant = "acme", Ipv4Subnet = "10.9.0.0/24", Ipv6Gateway = "fd00::1" }), ModelError.InvalidArgument, "needs an ipv6_subnet") },
        { "network with an IPv4 address as IPv6 subnet", (m => m.Create(ResourceKinds.Networks, new Network { Name = "n", Tenant = "acme", Ipv4Subnet = "10.9.0.0/24", Ipv6Subnet = "10.10.0.0/24" }), ModelError.InvalidArgument, "not an IPv6 CIDR") },
        { "network with a tiny MTU", (m => m.Create(ResourceKinds.Networks, new Network { Name = "n", Tenant = "acme", Ipv4Subnet = "10.9.0.0/24", Mtu = 100 }), ModelError.InvalidArgument, "mtu 100 is out of range") },
        { "network overlapping one of the same tenant", (m => m.Create(ResourceKinds.Networks, Net("n", "acme", "10.0.0.0/16")), ModelError.FailedPrecondition, "overlaps network 'web'") },
        { "duplicate network", (m => m.Create(ResourceKinds.Networks, Net("web", "globex", "10.0.1.0/24")), ModelError.AlreadyExists, "network 'web' already exists") },
        { "port on a missing network", (m => m.Create(ResourceKinds.Ports, new Port { Name = "p", Network = "nope", Edge = "e1" }), ModelError.NotFound, "network 'nope' does not exist") },
        { "port on a missing edge", (m => m.Create(ResourceKinds.Ports, new Port { Name = "p", Network = "web", Edge = "e9" }), ModelError.NotFound, "edge 'e9' does not exist") },
        { "port without an edge", (m => m.Create(ResourceKinds.Ports, new Port { Name = "p", Network = "web" }), ModelError.InvalidArgument, "edge is required") },
        { "duplicate port", (m => m.Create(ResourceKinds.Ports, new Port { Name = "web1", Network = "web", Edge = "e1" }), ModelError.AlreadyExists, "port 'web1' already exists") },
        { "port with a malformed MAC", (m => m.Create(ResourceKinds.Ports, new Port { Name = "p", Network = "web", Edge = "e1", Mac = "02:00:00:00:00" }), ModelError.InvalidArgument, "not a MAC address") },
        { "port with a multicast MAC", (m => m.Create(ResourceKinds.Ports, new Port { Name = "p", Network = "web", Edge = "e1", Mac = "01:00:5e:00:00:01" }), ModelError.InvalidArgument, "multicast") },
        { "port with a zero MAC", (m => m.Create(ResourceKinds.Ports, new Port { Name = "p", Network = "web", Edge = "e1", Mac = "00:00:00:00:00:00" }), ModelError.InvalidArgument, "all zeros") },
        { "port with a router MAC", (m => m.Create(ResourceKinds.Ports, new Port { Name = "p", Network = "web", Edge = "e1", Mac = "02:5e:00:00:00:01" }), ModelError.InvalidArgument, "kept for the tenants' routers") },
        { "port with a taken MAC", (m => m.Create(ResourceKinds.Ports, new Port { Name = "p", Network = "web", Edge = "e1", Mac = m.Get(ResourceKinds.Ports, "web1").Mac.ToUpperInvariant() }), ModelError.AlreadyExists, "already used by port 'web1'") },
        { "port with an IP outside the subnet", (m => m.Create(ResourceKinds.Ports, new Port { Name = "p", Network = "web", Edge = "e1", Ipv4 = "10.0.2.5" }), ModelError.InvalidArgument, "outside subnet 10.0.1.0/24") },
        { "port with a malformed IP", (m => m.Create(ResourceKinds.Ports, new Port { Name = "p", Network = "web", Edge = "e1", Ipv4 = "10.0.1" }), ModelError.InvalidArgument, "not an IPv4 address") },
        { "port with the network address", (m => m.Create(ResourceKinds.Ports, new Port { Name = "p", Network = "web", Edge = "e1", Ipv4 = "10.0.1.0" }), ModelError.InvalidArgument, "network or broadcast") },
        { "port with the gateway's IP", (m => m.Create(ResourceKinds.Ports, new Port { Name = "p", Network = "web", Edge = "e1", Ipv4 = "10.0.1.1" }), ModelError.AlreadyExists, "is the gateway") },
        { "port with a taken IP", (m => m.Create(ResourceKinds.Ports, new Port { Name = "p", Network = "web", Edge = "e1", Ipv4 = "10.0.1.2" }), ModelError.AlreadyExists, "already used") },
        { "port with IPv6 on an IPv4-only network", (m => m.Create(ResourceKinds.Ports, new Port { Name = "p", Network = "web", Edge = "e1", Ipv6 = "fd00::5" }), ModelError.InvalidArgument, "has no IPv6 subnet") },
        { "ACL rule of a missing tenant", (m => m.Create(ResourceKinds.AclRules, Rule("r", "nobody")), ModelError.NotFound, "tenant 'nobody'") },
        { "ACL rule without an action", (m => m.Create(ResourceKinds.AclRules, new AclRule { Name = "r", Tenant = "acme" }), ModelError.InvalidArgument, "action is required") },
        { "ACL rule with a priority too high", (m => m.Create(ResourceKinds.AclRules, Rule("r", "acme", priority: 70000)), ModelError.InvalidArgument, "priority 70000") },
        { "ACL rule with a bad CIDR", (m => m.Create(ResourceKinds.AclRules, Rule("r", "acme", src: "10.0.0.0/99")), ModelError.InvalidArgument, "src_cidr") },
        { "ACL rule mixing families", (m => m.Create(ResourceKinds.AclRules, Rule("r", "acme", src: "10.0.0.0/8", dst: "fd00::/8")), ModelError.InvalidArgument, "mix IPv4 and IPv6") },
        { "ACL rule with a bad protocol", (m => m.Create(ResourceKinds.AclRules, Rule("r", "acme", protocol: 300)), ModelError.InvalidArgument, "protocol 300") },
        { "ACL rule with ports for ICMP", (m => m.Create(ResourceKinds.AclRules, Rule("r", "acme", protocol: 1, dstPorts: new PortRange { First = 1, Last = 2 })), ModelError.InvalidArgument, "only to TCP (6) and UDP (17)") },
        { "ACL rule with a reversed port range", (m => m.Create(ResourceKinds.AclRules, Rule("r", "acme", protocol: 6, dstPorts: new PortRange { First = 90, Last = 80 })), ModelError.InvalidArgument, "90-80") },
        { "ACL rule duplicating another's priority and match", (m => m.Create(ResourceKinds.AclRules, new AclRule { Name = "again", Tenant = "acme", Priority = 100, Action = AclAction.Allow, Protocol = 6, DstPorts = new PortRange { First = 23, Last = 23 } }), ModelError.AlreadyExists, "'no-telnet'") },
        { "stateful ACL rule at the tracking priority", (m => m.Create(ResourceKinds.AclRules, Rule("r", "acme", priority: 65535, stateful: true)), ModelError.InvalidArgument, "kept for connection tracking") },
        { "edge named like a core node", (m => m.Create(ResourceKinds.Edges, new EdgeNode { Name = "c1" }), ModelError.AlreadyExists, "one name space") },
        { "edge with a bad address", (m => m.Create(ResourceKinds.Edges, new EdgeNode { Name = "e3", Address = "no port" }), ModelError.InvalidArgument, "not an IPv4 address and port") },
        { "core node with port 0", (m => m.Create(ResourceKinds.CoreNodes, new CoreNode { Name = "c2", Address = "192.0.2.1:0" }), ModelError.InvalidArgument, "not an IPv4 address and port") },
        { "link to a missing node", (m => m.Create(ResourceKinds.Links, LinkOf("l", "e1", "c9")), ModelError.NotFound, "node 'c9'") },
        { "link without an endpoint", (m => m.Create(ResourceKinds.Links, new Link { Name = "l", A = new LinkEndpoint { Node = "e1" } }), ModelError.InvalidArgument, "b.node is required") },
        { "link from a node to itself", (m => m.Create(ResourceKinds.Links, LinkOf("l", "c1", "c1")), ModelError.InvalidArgument, "to itself") },
        { "link reusing an interface", (m => m.Create(ResourceKinds.Links, new Link { Name = "l", A = new LinkEndpoint { Node = "e1", Interface = "e1-c1" }, B = new LinkEndpoint { Node = "e2" } }), ModelError.AlreadyExists, "already used by link 'e1-c1'") },
        { "link with a cost too high", (m => m.Create(ResourceKinds.Links, new Link { Name = "l", A = new LinkEndpoint { Node = "e1" }, B = new LinkEndpoint { Node = "c1" }, Cost = 70000 }), ModelError.InvalidArgument, "cost 70000") },
        { "link between two edges", (m => m.Create(ResourceKinds.Links, LinkOf("l", "e1", "e2")), ModelError.InvalidArgument, "joins two edges, 'e1' and 'e2'") },
        { "link of an unknown kind", (m => m.Create(ResourceKinds.Links, new Link { Name = "l", A = new LinkEndpoint { Node = "e1" }, B = new LinkEndpoint { Node = "c1" }, Kind = (LinkKind)7 }), ModelError.InvalidArgument, "kind 7 is not a link kind") },
        { "link losing more than everything", (m => m.Create(ResourceKinds.Links, new Link { Name = "l", A = new LinkEndpoint { Node = "e1" }, B = new LinkEndpoint { Node = "c1" }, Impairment = new Impairment { Loss = 1.5 } }), ModelError.InvalidArgument, "impairment.loss 1.5") },
        { "VM of an unknown application", (m => m.Create(ResourceKinds.Ports, new Port { Name = "p", Network = "web", Edge = "e1", Vm = new VmSpec { App = "doom" } }), ModelError.InvalidArgument, "vm.app 'doom' is not an application") },
        { "VM with a parameter its app lacks", (m => m.Create(ResourceKinds.Ports, new Port { Name = "p", Network = "web", Edge = "e1", Vm = new VmSpec { App = "echo", Params = { ["count"] = "3" } } }), ModelError.InvalidArgument, "'count' is not a parameter of echo") },
        { "pinger without a target", (m => m.Create(ResourceKinds.Ports, new Port { Name = "p", Network = "web", Edge = "e1", Vm = new VmSpec { App = "ping" } }), ModelError.InvalidArgument, "ping needs a 'target'") },
        { "pktgen aimed at an address", (m => m.Create(ResourceKinds.Ports, new Port { Name = "p", Network = "web", Edge = "e1", Vm = new VmSpec { App = "pktgen", Params = { ["target"] = "10.0.1.9" } } }), ModelError.InvalidArgument, "must be the name of another VM or host") },
        { "VM too large", (m => m.Create(ResourceKinds.Ports, new Port { Name = "p", Network = "web", Edge = "e1", Vm = new VmSpec { MemoryMib = 5000 } }), ModelError.InvalidArgument, "vm.memory_mib 5000") },
        { "VNIC port with a host", (m => m.Create(ResourceKinds.Ports, new Port { Name = "p", Network = "web", Edge = "e1", Host = new HostSpec() }), ModelError.InvalidArgument, "only a TAP port carries a host") },
        { "TAP port with a VM", (m => m.Create(ResourceKinds.Ports, new Port { Name = "p", Network = "web", Edge = "e1", Kind = PortKind.Tap, Vm = new VmSpec() }), ModelError.InvalidArgument, "only a VNIC port carries a vm") },
        { "host with a name too long for its namespace", (m => m.Create(ResourceKinds.Ports, new Port { Name = "a-long-hostname", Network = "web", Edge = "e1", Kind = PortKind.Tap }), ModelError.InvalidArgument, "at most 10 characters") },
        { "host with a route to nowhere", (m => m.Create(ResourceKinds.Ports, new Port { Name = "h", Network = "web", Edge = "e1", Kind = PortKind.Tap, Host = new HostSpec { Routes = { new Route { To = "10.9.0.0/33", Via = "10.0.1.1" } } } }), ModelError.InvalidArgument, "'to' must be an IPv4 prefix") },
        { "deleting a missing port", (m => Delete(m, ResourceKinds.Ports, "nope"), ModelError.NotFound, "port 'nope' does not exist") },
        { "deleting a tenant with networks", (m => Delete(m, ResourceKinds.Tenants, "acme"), ModelError.FailedPrecondition, "still used by network(s) 'web'") },
        { "deleting a network with ports", (m => Delete(m, ResourceKinds.Networks, "web"), ModelError.FailedPrecondition, "still used by port(s) 'web1'") },
        { "deleting an edge with ports", (m => Delete(m, ResourceKinds.Edges, "e1"), ModelError.FailedPrecondition, "port(s) 'web1'") },
        { "deleting an edge with links", (m => Delete(m, ResourceKinds.Edges, "e2"), ModelError.FailedPrecondition, "link(s) 'e2-c1'") },
        { "deleting a core node with links", (m => Delete(m, ResourceKinds.CoreNodes, "c1"), ModelError.FailedPrecondition, "'e1-c1', 'e2-c1'") },
        { "getting a missing network", (m => m.Get(ResourceKinds.Networks, "nope"), ModelError.NotFound, "network 'nope'") },
        { "setting the state of a missing link", (m => m.SetLinkState("nope", true), ModelError.NotFound, "link 'nope'") },
    };

    [Fact]
    public void A_stateful_rule_is_refused_in_a_tenant_with_a_rule_at_the_tracking_priority()
    {
        using var fixture = new ModelFixture();
        fixture.Model.Create(ResourceKinds.AclRules, Rule("top", "acme", priority: 65535));

        var refused = Assert.Throws<ModelException>(() => fixture.Model.Create(ResourceKinds.AclRules, Rule("r", "acme", stateful: true)));

        Assert.Equal(ModelError.InvalidArgument, refused.Error);
        Assert.Contains("'top'", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(RefusedRequests))]
    public void Refused_request_changes_nothing(string request)
    {
        var (act, error, message) = Cases[request];
        using var fixture = new ModelFixture();
        var before = fixture.Model.Snapshot();
        var fileBefore = File.ReadAllText(fixture.Store.JournalPath);
        using var watch = fixture.Model.Watch(includeExisting: false);

        var refused = Assert.Throws<ModelException>(() => act(fixture.Model));

        Assert.True(error == refused.Error, $"{request}: expected {error}, got {refused.Error}: {refused.Message}");
        Assert.Contains(message, refused.Message, StringComparison.Ordinal);
        Assert.Equal(before, fixture.Model.Snapshot());
        Assert.Equal(fileBefore, File.ReadAllText(fixture.Store.JournalPath));
        Assert.False(watch.Reader.TryRead(out _), $"{request}: a refused request was announced");
    }

    private static Network Net(string name, string tenant, string subnet, string gateway = "") =>
        new() { Name = name, Tenant = tenant, Ipv4Subnet = subnet, Ipv4Gateway = gateway };

    private static AclRule Rule(string name, string tenant, uint priority = 10, string src = "", string dst = "", uint protocol = 0, PortRange? dstPorts = null, bool stateful = false) =>
        new() { Name = name, Tenant = tenant, Priority = priority, Action = AclAction.Allow, SrcCidr = src, DstCidr = dst, Protocol = protocol, DstPorts = dstPorts, Stateful = stateful };

    private static Link LinkOf(string name, string a, string b) =>
        new() { Name = name, A = new LinkEndpoint { Node = a }, B = new LinkEndpoint { Node = b } };

    private static string Delete<T>(FabricModel model, ResourceKind<T> kind, string name)
        where T : class, IMessage<T>
    {
        model.Delete(kind, name);
        return name;
    }
}
