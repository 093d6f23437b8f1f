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
        Assert.NotEmpty(topology.Edges);
    }

    [Fact]
    public void Quickstart_has_two_edges_two_core_nodes_four_vms_in_two_tenants_and_a_host()
    {
        var topology = TopologyFile.Load(RepositoryRoot.Combine("topologies", "quickstart.yaml"));

        Assert.Equal(2, topology.Edges.Count);
        Assert.Equal(2, topology.CoreNodes.Count);
        Assert.Equal(4, topology.Vms.Count);
        Assert.Equal(2, topology.Vms.Select(v => v.Network.Split('/')[0]).Distinct().Count());
        Assert.Single(topology.Hosts);
    }

    [Fact]
    public void Scale_100_has_a_hundred_vms()
    {
        Assert.Equal(100, TopologyFile.Load(RepositoryRoot.Combine("topologies", "scale-100.yaml")).Vms.Count);
    }

    [Fact]
    public void A_valid_file_yields_every_field_with_its_defaults()
    {
        var topology = TopologyFile.Parse(Valid, "t.yaml");

        Assert.Equal("127.0.0.1:6653", topology.Controller.Listen.ToString());
        var link = topology.Links[0];
        Assert.Equal(("e1--c1", LinkKind.Memory, 1), (link.Name, link.Kind, link.Cost));
        var network = Assert.Single(Assert.Single(topology.Tenants).Networks);
        Assert.Equal(("red/web", "10.1.0.1"), (network.Name, network.Gateway.ToString()));
        var vm = topology.Vms[0];
        Assert.Equal(("vm1", "e1", "red/web", "10.1.0.11", "echo", 4, 1), (vm.Name, vm.Edge, vm.Network, vm.Ip.ToString(), vm.App, vm.MemoryMib, vm.Vcpus));
        Assert.Equal("020000000001", vm.Mac!.ToString());
        Assert.Null(topology.Vms[1].Mac);
    }

    [Fact]
    public void An_unknown_key_names_its_line_column_and_the_keys_expected()
    {
        var error = SingleError(Valid.Replace("ip: 10.1.0.12 }", "ip: 10.1.0.12, ipp: 1 }", StringComparison.Ordinal));

        Assert.Equal((17, 61), (error.Line, error.Column));
        Assert.Contains("unknown key 'ipp' in a vm; expected one of: name, edge, network, ip, mac", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_reference_to_a_missing_edge_is_an_error_at_the_reference()
    {
        var error = SingleError(Valid.Replace("{ name: vm2, edge: e2", "{ name: vm2, edge: e9", StringComparison.Ordinal));

        Assert.Equal((17, 24), (error.Line, error.Column));
        Assert.Contains("'e9' is not a defined edge (known: e1, e2)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_reference_to_a_missing_network_is_an_error()
    {
        var error = SingleError(Valid.Replace("network: red/web, ip: 10.1.0.12", "network: red/db, ip: 10.1.0.12", StringComparison.Ordinal));

        Assert.Contains("refers to network 'red/db', which is not defined (known: red/web)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_link_to_a_missing_node_is_an_error()
    {
        var error = SingleError(Valid.Replace("[c1, e2]", "[c1, c7]", StringComparison.Ordinal));

        Assert.Equal(9, error.Line);
        Assert.Contains("'c7' is not a defined core node or edge", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_duplicate_ip_names_the_first_owner()
    {
        var error = SingleError(Valid.Replace("ip: 10.1.0.12", "ip: 10.1.0.11", StringComparison.Ordinal));

        Assert.Equal(17, error.Line);
        Assert.Contains("ip 10.1.0.11 of vm 'vm2' is already used by vm 'vm1'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_duplicate_mac_names_the_first_owner()
    {
        var error = SingleError(Valid.Replace("ip: 10.1.0.12 }", "ip: 10.1.0.12, mac: \"02:00:00:00:00:01\" }", StringComparison.Ordinal));

        Assert.Contains("mac 02:00:00:00:00:01 of vm 'vm2' is already used by vm 'vm1'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_ip_outside_its_subnet_is_an_error()
    {
        var error = SingleError(Valid.Replace("ip: 10.1.0.12", "ip: 10.9.0.12", StringComparison.Ordinal));

        Assert.Contains("ip 10.9.0.12 of vm 'vm2' is outside the subnet 10.1.0.0/24 of network 'red/web'", error.Message, StringComparison.Ordinal);
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
    public void A_name_used_twice_is_an_error()
    {
        var error = SingleError(Valid.Replace("name: vm2", "name: e1", StringComparison.Ordinal));

        Assert.Contains("the name 'e1' of this vm is already taken by an edge", error.Message, StringComparison.Ordinal);
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
    public void A_missing_file_is_a_clear_error()
    {
        var error = Assert.Single(Assert.Throws<TopologyFileException>(() => TopologyFile.Load("/nonexistent/x.yaml")).Errors);

        Assert.Contains("cannot read the topology file", error.Message, StringComparison.Ordinal);
    }

    private static TopologyError SingleError(string text) =>
        Assert.Single(Assert.Throws<TopologyFileException>(() => TopologyFile.Parse(text, "t.yaml")).Errors);
}
