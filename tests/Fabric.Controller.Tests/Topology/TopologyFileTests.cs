using Sdn.Contracts;
using Sdn.Fabric.Controller.Topology;

namespace Sdn.Fabric.Controller.Tests.Topology;

public class TopologyFileTests
{
    private const string Valid = """
        name: t
        core:
          - name: c1
        edges:
          - name: e1
          - name: e2
        links:
          - endpoints: [e1, c1]
          - endpoints: [c1, e2]
        tenants:
          - name: red
            networks:
              - name: web
                subnet: 10.1.0.0/24
        vms:
          - { name: vm1, edge: e1, network: red/web, ip: 10.1.0.11, mac: "02:00:00:00:00:01" }
          - { name: vm2, edge: e2, network: red/web, ip: 10.1.0.12 }
        """;

    public static TheoryData<string> ExampleTopologies() =>
        [.. Directory.GetFiles(RepositoryRoot.Combine("topologies"), "*.yaml").Select(System.IO.Path.GetFileName).OfType<string>()];

    [Theory]
    [MemberData(nameof(ExampleTopologies))]
    public void Every_example_topology_is_valid(string file)
    {
        var topology = TopologyFile.Load(RepositoryRoot.Combine("topologies", file));

        Assert.Equal(System.IO.Path.GetFileNameWithoutExtension(file), topology.Name);
        Assert.NotEmpty(topology.State.Edges);
    }

    [Fact]
    public void Quickstart_has_two_edges_two_core_nodes_four_vms_in_two_tenants_and_a_host()
    {
        var topology = TopologyFile.Load(RepositoryRoot.Combine("topologies", "quickstart.yaml"));

        Assert.Equal(2, topology.State.Edges.Count);
        Assert.Equal(2, topology.State.CoreNodes.Count);
        Assert.Equal(4, topology.Vms.Count());
        Assert.Equal(2, topology.Vms.Select(v => v.Network.Split('.')[0]).Distinct().Count());
        Assert.Single(topology.Hosts);
    }

    [Fact]
    public void Scale_100_has_a_hundred_vms()
    {
        Assert.Equal(100, TopologyFile.Load(RepositoryRoot.Combine("topologies", "scale-100.yaml")).Vms.Count());
    }

    [Fact]
    public void A_valid_file_yields_the_state_the_model_would_hold_with_its_defaults()
    {
        var topology = TopologyFile.Parse(Valid, "t.yaml");

        Assert.Equal("127.0.0.1:6653", topology.Controller.Listen.ToString());
        var link = topology.State.Links[0];
        Assert.Equal(("e1--c1", LinkKind.Unspecified, 1u, "e1--c1"), (link.Name, link.Kind, link.Cost, link.A.Interface));
        var network = Assert.Single(topology.State.Networks);
        Assert.Equal(("red.web", "red", "10.1.0.1", 1500u), (network.Name, network.Tenant, network.Ipv4Gateway, network.Mtu));
        var vm = topology.Vms.First();
        Assert.Equal(("vm1", "e1", "red.web", "10.1.0.11", PortKind.Vnic), (vm.Name, vm.Edge, vm.Network, vm.Ipv4, vm.Kind));
        Assert.Equal(("echo", 4u, 1u), (vm.Vm.App, vm.Vm.MemoryMib, vm.Vm.Vcpus));
        Assert.Equal("02:00:00:00:00:01", vm.Mac);
        Assert.StartsWith("02:5d:", topology.Vms.Last().Mac, StringComparison.Ordinal);
    }

    [Fact]
    public void A_link_may_start_administratively_down_and_admin_down_takes_true_or_false()
    {
        var topology = TopologyFile.Parse(Valid.Replace("- endpoints: [c1, e2]", "- { endpoints: [c1, e2], admin-down: true }", StringComparison.Ordinal), "t.yaml");
        var error = SingleError(Valid.Replace("- endpoints: [c1, e2]", "- { endpoints: [c1, e2], admin-down: maybe }", StringComparison.Ordinal));

        Assert.Equal([false, true], topology.State.Links.Select(l => l.AdminDown));
        Assert.Equal("'admin-down' of a link must be true or false, not 'maybe'", error.Message);
    }

    [Fact]
    public void An_acl_may_be_stateful_and_stateful_takes_true_or_false()
    {
        const string Acl = "\nacls:\n  - { tenant: red, action: allow, protocol: tcp, ports: \"5432\", stateful: STATEFUL }\n";
        var topology = TopologyFile.Parse(Valid + Acl.Replace("STATEFUL", "true", StringComparison.Ordinal), "t.yaml");
        var error = SingleError(Valid + Acl.Replace("STATEFUL", "maybe", StringComparison.Ordinal));

        Assert.True(Assert.Single(topology.State.AclRules).Stateful);
        Assert.Equal("'stateful' of an acl must be true or false, not 'maybe'", error.Message);
    }

    [Fact]
    public void A_stateful_acl_at_the_tracking_priority_is_the_models_error_at_the_priority()
    {
        var error = SingleError(Valid + "\nacls:\n  - { tenant: red, priority: 65535, stateful: true }\n");

        Assert.Contains("kept for connection tracking", error.Message, StringComparison.Ordinal);
        Assert.Equal(19, error.Line);
    }

    [Fact]
    public void A_vms_application_gets_its_parameters_defaults()
    {
        var topology = TopologyFile.Parse(Valid.Replace("ip: 10.1.0.12 }", "ip: 10.1.0.12, app: ping, params: { target: vm1 } }", StringComparison.Ordinal), "t.yaml");

        var pinger = topology.Vms.Single(v => v.Name == "vm2").Vm;
        Assert.Equal(("ping", "vm1", "5", "1000", "56"), (pinger.App, pinger.Params["target"], pinger.Params["count"], pinger.Params["interval-ms"], pinger.Params["size"]));
    }

    [Fact]
    public void An_unknown_key_names_its_line_column_and_the_keys_expected()
    {
        var error = SingleError(Valid.Replace("ip: 10.1.0.12 }", "ip: 10.1.0.12, ipp: 1 }", StringComparison.Ordinal));

        Assert.Equal((17, 61), (error.Line, error.Column));
        Assert.Contains("unknown key 'ipp' in a vm; expected one of: name, edge, network, ip, ipv6, mac, port-security", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_reference_to_a_missing_edge_is_the_models_error_at_the_reference()
    {
        var error = SingleError(Valid.Replace("{ name: vm2, edge: e2", "{ name: vm2, edge: e9", StringComparison.Ordinal));

        Assert.Equal((17, 24), (error.Line, error.Column));
        Assert.Equal("edge 'e9' does not exist; create it first or check the name", error.Message);
    }

    [Fact]
    public void A_reference_to_a_missing_network_is_an_error_at_the_reference()
    {
        var error = SingleError(Valid.Replace("network: red/web, ip: 10.1.0.12", "network: red/db, ip: 10.1.0.12", StringComparison.Ordinal));

        Assert.Equal((17, 37), (error.Line, error.Column));
        Assert.Contains("network 'red.db' does not exist", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_link_to_a_missing_node_is_an_error_at_that_end()
    {
        var error = SingleError(Valid.Replace("[c1, e2]", "[c1, c7]", StringComparison.Ordinal));

        Assert.Equal((9, 21), (error.Line, error.Column));
        Assert.Contains("node 'c7' does not exist", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_link_between_two_edges_is_refused_as_the_api_refuses_it()
    {
        var error = SingleError(Valid.Replace("[c1, e2]", "[e1, e2]", StringComparison.Ordinal));

        Assert.Equal(9, error.Line);
        Assert.Contains("joins two edges, 'e1' and 'e2'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_duplicate_ip_names_the_first_owner()
    {
        var error = SingleError(Valid.Replace("ip: 10.1.0.12", "ip: 10.1.0.11", StringComparison.Ordinal));

        Assert.Equal(17, error.Line);
        Assert.Equal("ipv4 10.1.0.11 is already used by port 'vm1' of network 'red.web'", error.Message);
    }

    [Fact]
    public void A_duplicate_mac_in_a_network_names_the_first_owner()
    {
        var error = SingleError(Valid.Replace("ip: 10.1.0.12 }", "ip: 10.1.0.12, mac: \"02:00:00:00:00:01\" }", StringComparison.Ordinal));

        Assert.Contains("mac 02:00:00:00:00:01 is already used by port 'vm1' of network 'red.web'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_ip_outside_its_subnet_is_an_error()
    {
        var error = SingleError(Valid.Replace("ip: 10.1.0.12", "ip: 10.9.0.12", StringComparison.Ordinal));

        Assert.Contains("ipv4 10.9.0.12 is outside subnet 10.1.0.0/24 of network 'red.web'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_dual_stack_network_gives_its_ports_ipv6_addresses_given_or_allocated_and_port_security_unless_opted_out()
    {
        var text = Valid
            .Replace("subnet: 10.1.0.0/24", "subnet: 10.1.0.0/24\n        ipv6-subnet: fd00:1::/64", StringComparison.Ordinal)
            .Replace("mac: \"02:00:00:00:00:01\" }", "mac: \"02:00:00:00:00:01\", ipv6: \"fd00:1::11\", port-security: false }", StringComparison.Ordinal);

        var state = TopologyFile.Parse(text, "t.yaml").State;

        Assert.Equal(("fd00:1::/64", "fd00:1::1"), (state.Networks[0].Ipv6Subnet, state.Networks[0].Ipv6Gateway));
        Assert.Equal(("fd00:1::11", false), (state.Ports.Single(p => p.Name == "vm1").Ipv6, state.Ports.Single(p => p.Name == "vm1").PortSecurity));
        Assert.Equal(("fd00:1::2", true), (state.Ports.Single(p => p.Name == "vm2").Ipv6, state.Ports.Single(p => p.Name == "vm2").PortSecurity));
    }

    [Fact]
    public void A_network_may_name_the_dns_server_its_dhcp_hands_out_and_a_bad_one_is_an_error_at_its_line()
    {
        var withDns = Valid.Replace("subnet: 10.1.0.0/24", "subnet: 10.1.0.0/24\n        dns-server: 10.1.0.53", StringComparison.Ordinal);

        Assert.Equal("10.1.0.53", TopologyFile.Parse(withDns, "t.yaml").State.Networks[0].Ipv4DnsServer);
        var error = SingleError(withDns.Replace("dns-server: 10.1.0.53", "dns-server: resolver", StringComparison.Ordinal));
        Assert.Equal(15, error.Line);
        Assert.Contains("ipv4_dns_server 'resolver' is not a unicast IPv4 address", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ip: 10.1.0.12 }", "ip: 10.1.0.12, ipv6: \"fd00:1::12\" }", 17, "ipv6 fd00:1::12 given, but network 'red.web' has no IPv6 subnet")]
    [InlineData("ip: 10.1.0.12 }", "ip: 10.1.0.12, port-security: maybe }", 17, "'port-security' of a vm must be true or false")]
    [InlineData("subnet: 10.1.0.0/24", "subnet: 10.1.0.0/24\n        ipv6-subnet: 10.2.0.0/24", 15, "ipv6_subnet '10.2.0.0/24' is not an IPv6")]
    public void A_bad_ipv6_or_port_security_value_is_an_error_at_its_line(string find, string replace, int line, string message)
    {
        var error = SingleError(Valid.Replace(find, replace, StringComparison.Ordinal));

        Assert.Equal(line, error.Line);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_application_parameter_is_an_error_at_the_parameter()
    {
        var error = SingleError(Valid.Replace("ip: 10.1.0.12 }", "ip: 10.1.0.12, app: ping, params: { target: vm1, count: lots } }", StringComparison.Ordinal));

        Assert.Equal(17, error.Line);
        Assert.Contains("'count' of ping must be a whole number from 1 to", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_target_that_is_no_vm_or_host_is_an_error()
    {
        var error = SingleError(Valid.Replace("ip: 10.1.0.12 }", "ip: 10.1.0.12, app: pktgen, params: { target: nowhere } }", StringComparison.Ordinal));

        Assert.Contains("VM or host 'nowhere' does not exist", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_yaml_reports_the_parser_position()
    {
        var error = SingleError("name: t\nedges: [\n  - name: e1\n");

        Assert.Equal("t.yaml", error.File);
        Assert.StartsWith("not valid YAML", error.Message, StringComparison.Ordinal);
        Assert.True(error.Line >= 2);
    }

    [Fact]
    public void A_name_used_twice_is_an_error_at_the_second()
    {
        var error = SingleError(Valid.Replace("name: vm2", "name: vm1", StringComparison.Ordinal));

        Assert.Equal(17, error.Line);
        Assert.Equal("port 'vm1' already exists", error.Message);
    }

    [Fact]
    public void What_refers_to_a_refused_object_is_not_reported_again()
    {
        var error = SingleError(Valid.Replace("subnet: 10.1.0.0/24", "subnet: 10.1.0.0/33", StringComparison.Ordinal));

        Assert.Contains("ipv4_subnet '10.1.0.0/33'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_enum_value_lists_the_allowed_ones()
    {
        var error = SingleError(Valid.Replace("[e1, c1]", "[e1, c1]\n    kind: carrier-pigeon", StringComparison.Ordinal));

        Assert.Contains("'kind' of a link must be one of: memory, udp; not 'carrier-pigeon'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_required_field_is_an_error()
    {
        var error = SingleError(Valid.Replace("edge: e2, ", "", StringComparison.Ordinal));

        Assert.Contains("a vm needs 'edge'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_problem_is_reported_in_one_run_in_file_order()
    {
        var text = Valid
            .Replace("ip: 10.1.0.12", "ip: 10.9.0.12", StringComparison.Ordinal)
            .Replace("- name: e2", "- name: e2\n    color: blue", StringComparison.Ordinal);

        var errors = Assert.Throws<TopologyFileException>(() => TopologyFile.Parse(text, "t.yaml")).Errors;

        Assert.Equal(2, errors.Count);
        Assert.True(errors[0].Line < errors[1].Line);
        Assert.Contains("color", errors[0].Message, StringComparison.Ordinal);
        Assert.StartsWith("t.yaml:", errors[0].ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void An_external_network_a_tenant_attaches_to_and_a_floating_ip_are_read_into_the_model()
    {
        var topology = TopologyFile.Parse(WithExternal, "t.yaml");

        var external = Assert.Single(topology.State.Externals);
        Assert.Equal(("internet", "e2", "sdnx0", "198.51.100.0/24", "198.51.100.2", "198.51.100.1"), (external.Name, external.Edge, external.Interface, external.Ipv4Subnet, external.Ipv4Address, external.Ipv4Router));
        Assert.Equal("internet", topology.State.Tenants.Single(t => t.Name == "red").External);
        Assert.Equal("198.51.100.10", topology.State.Ports.Single(p => p.Name == "vm1").FloatingIpv4);
    }

    [Fact]
    public void A_floating_ip_outside_the_external_subnet_is_the_models_error_at_the_key()
    {
        var error = SingleError(WithExternal.Replace("floating-ip: 198.51.100.10", "floating-ip: 192.0.2.10", StringComparison.Ordinal));

        Assert.Equal((19, 100), (error.Line, error.Column));
        Assert.Equal("floating_ipv4 192.0.2.10 is not a host address of 198.51.100.0/24", error.Message);
    }

    [Fact]
    public void A_tenant_attached_to_a_missing_external_network_is_an_error_at_external()
    {
        var error = SingleError(WithExternal.Replace("external: internet", "external: nowhere", StringComparison.Ordinal));

        Assert.Equal((14, 15), (error.Line, error.Column));
        Assert.Equal("external network 'nowhere' does not exist; create it first or check the name", error.Message);
    }

    [Fact]
    public void An_external_network_without_its_gateway_address_names_the_key()
    {
        var error = SingleError(WithExternal.Replace(", gateway-ip: 198.51.100.2", string.Empty, StringComparison.Ordinal));

        Assert.Equal(11, error.Line);
        Assert.Contains("'gateway-ip'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_ipv6_network_of_a_tenant_behind_a_gateway_is_an_error_at_its_ipv6_subnet()
    {
        var text = WithExternal.Replace("subnet: 10.1.0.0/24", "subnet: 10.1.0.0/24\n        ipv6-subnet: fd00:1::/64", StringComparison.Ordinal);

        var error = SingleError(text);

        Assert.Contains("ipv6-subnet", text.Split('\n')[error.Line - 1], StringComparison.Ordinal);
        Assert.Contains("external network 'internet', which the tenant reaches the outside through, has no IPv6 side", error.Message, StringComparison.Ordinal);
        Assert.Contains("ipv6-subnet and ipv6-gateway-ip", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_external_networks_ipv6_side_and_a_floating_ipv6_are_read_into_the_model()
    {
        var topology = TopologyFile.Parse(WithIpv6External, "t.yaml");

        var external = Assert.Single(topology.State.Externals);
        Assert.Equal(("2001:db8:100::/64", "2001:db8:100::2", "2001:db8:100::1"), (external.Ipv6Subnet, external.Ipv6Address, external.Ipv6Router));
        var vm = topology.State.Ports.Single(p => p.Name == "vm1");
        Assert.Equal(("198.51.100.10", "2001:db8:100::10"), (vm.FloatingIpv4, vm.FloatingIpv6));
        Assert.Equal("fd00:1::/64", topology.State.Networks.Single().Ipv6Subnet);
    }

    [Theory]
    [InlineData("floating-ipv6: 2001:db8:100::10", "floating-ipv6: 2001:db8:200::10", "floating-ipv6", "floating_ipv6 2001:db8:200::10 is not a host address of 2001:db8:100::/64")]
    [InlineData("floating-ipv6: 2001:db8:100::10", "floating-ipv6: 2001:db8:100::2", "floating-ipv6", "floating_ipv6 2001:db8:100::2 is the gateway's own address of external network 'internet'")]
    [InlineData("floating-ipv6: 2001:db8:100::10", "floating-ipv6: 2001:db8:100::1", "floating-ipv6", "floating_ipv6 2001:db8:100::1 is the router of external network 'internet'")]
    [InlineData(", ipv6-gateway-ip: 2001:db8:100::2", "", "ipv6-subnet", "ipv6_address is required: the gateway's own address in 2001:db8:100::/64")]
    [InlineData("ipv6-router: 2001:db8:100::1", "ipv6-router: 2001:db8:100::2", "ipv6-router", "ipv6_router 2001:db8:100::2 is the gateway's own ipv6_address")]
    [InlineData("ipv6-subnet: 2001:db8:100::/64", "ipv6-subnet: fd00:1::/48", "ipv6-subnet: fd00:1::/64", "overlaps fd00:1::/48 of external network 'internet'")]
    public void A_bad_ipv6_side_of_an_external_network_is_the_models_error_at_its_key(string replaced, string by, string keyOnLine, string message)
    {
        var text = WithIpv6External.Replace(replaced, by, StringComparison.Ordinal);
        if (by.StartsWith("ipv6-subnet: fd00:1::/48", StringComparison.Ordinal))
        {
            text = text.Replace("ipv6-gateway-ip: 2001:db8:100::2, ipv6-router: 2001:db8:100::1", "ipv6-gateway-ip: fd00:1:0:9::2", StringComparison.Ordinal)
                .Replace(", floating-ipv6: 2001:db8:100::10", string.Empty, StringComparison.Ordinal);
        }

        var error = SingleError(text);

        Assert.Contains(keyOnLine, text.Split('\n')[error.Line - 1], StringComparison.Ordinal);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_floating_ipv6_of_a_port_without_an_ipv6_address_is_an_error_at_the_key()
    {
        var text = WithIpv6External.Replace("\n        ipv6-subnet: fd00:1::/64", string.Empty, StringComparison.Ordinal);

        var error = SingleError(text);

        Assert.Contains("floating-ipv6", text.Split('\n')[error.Line - 1], StringComparison.Ordinal);
        Assert.Equal("port 'vm1' has floating_ipv6 2001:db8:100::10, but no IPv6 address: network 'red.web' has no ipv6_subnet", error.Message);
    }

    [Fact]
    public void A_missing_file_is_a_clear_error()
    {
        var error = Assert.Single(Assert.Throws<TopologyFileException>(() => TopologyFile.Load("/nonexistent/x.yaml")).Errors);

        Assert.Contains("cannot read the topology file", error.Message, StringComparison.Ordinal);
    }

    private static readonly string WithExternal = Valid
        .Replace("tenants:\n  - name: red\n", "externals:\n  - { name: internet, edge: e2, interface: sdnx0, subnet: 198.51.100.0/24, gateway-ip: 198.51.100.2, router: 198.51.100.1 }\ntenants:\n  - name: red\n    external: internet\n", StringComparison.Ordinal)
        .Replace("mac: \"02:00:00:00:00:01\" }", "mac: \"02:00:00:00:00:01\", floating-ip: 198.51.100.10 }", StringComparison.Ordinal);

    private static readonly string WithIpv6External = WithExternal
        .Replace("router: 198.51.100.1 }", "router: 198.51.100.1, ipv6-subnet: 2001:db8:100::/64, ipv6-gateway-ip: 2001:db8:100::2, ipv6-router: 2001:db8:100::1 }", StringComparison.Ordinal)
        .Replace("subnet: 10.1.0.0/24", "subnet: 10.1.0.0/24\n        ipv6-subnet: fd00:1::/64", StringComparison.Ordinal)
        .Replace("floating-ip: 198.51.100.10 }", "floating-ip: 198.51.100.10, floating-ipv6: 2001:db8:100::10 }", StringComparison.Ordinal);

    private static TopologyError SingleError(string text) =>
        Assert.Single(Assert.Throws<TopologyFileException>(() => TopologyFile.Parse(text, "t.yaml")).Errors);
}
