using Sdn.Contracts;
using Sdn.Fabric.Controller.Model;
using Sdn.Fabric.Controller.Topology;

namespace Sdn.Fabric.Controller.Tests.Topology;

/// <summary>What <see cref="TopologyDefinition.PlanFrom"/> plans for a file against a running state, and in which order.</summary>
public class TopologyPlanTests
{
    private const string Base = """
        name: t
        core: [{ name: c1 }]
        edges: [{ name: e1 }, { name: e2 }]
        links:
          - endpoints: [e1, c1]
          - endpoints: [c1, e2]
        tenants:
          - name: red
            networks:
              - { name: web, subnet: 10.1.0.0/24 }
        vms:
          - { name: red1, edge: e1, network: red/web, ip: 10.1.0.11 }
          - { name: red2, edge: e2, network: red/web, ip: 10.1.0.12, app: ping, params: { target: red1 } }
        hosts:
          - { name: h1, edge: e2, network: red/web, ip: 10.1.0.100 }
        """;

    private readonly FabricModel _running = Load(Base);

    [Fact]
    public void The_file_the_fabric_runs_plans_no_changes()
    {
        var plan = Plan(Base);

        Assert.True(plan.IsEmpty);
        Assert.Empty(plan.Lines);
        Assert.Equal("no changes", plan.Summary);
    }

    /// <summary>`sdn up` applies its file with this plan, from a controller that holds nothing yet.</summary>
    [Theory]
    [MemberData(nameof(TopologyFileTests.ExampleTopologies), MemberType = typeof(TopologyFileTests))]
    public void From_an_empty_fabric_an_example_topology_is_all_creations_that_make_what_its_file_describes(string file)
    {
        var topology = TopologyFile.Load(RepositoryRoot.Combine("topologies", file));
        var model = new FabricModel(store: null);

        var plan = topology.PlanFrom(model.Snapshot());
        plan.ApplyTo(model);

        Assert.All(plan.Steps, step => Assert.Equal(PlanOperation.Create, step.Operation));
        Assert.Equal((plan.Steps.Count, 0, 0), (plan.ToAdd, plan.ToChange, plan.ToDelete));
        Assert.Equal(FabricStates.Canonical(topology.State), FabricStates.Canonical(model.Snapshot()));
        Assert.True(topology.PlanFrom(model.Snapshot()).IsEmpty);
    }

    [Fact]
    public void Attaching_a_tenant_to_a_new_external_network_creates_it_first_and_re_creates_the_tenant_and_all_it_holds()
    {
        var plan = Plan(Base
            .Replace("tenants:\n  - name: red\n", "externals:\n  - { name: internet, edge: e2, interface: sdnx0, subnet: 198.51.100.0/24, gateway-ip: 198.51.100.2 }\ntenants:\n  - name: red\n    external: internet\n", StringComparison.Ordinal)
            .Replace("ip: 10.1.0.100 }", "ip: 10.1.0.100, floating-ip: 198.51.100.10 }", StringComparison.Ordinal));

        Assert.Contains("+ external network internet (sdnx0 of e2, 198.51.100.2 in 198.51.100.0/24)", plan.Lines);
        Assert.Contains("~ tenant red: external \"\" → internet (delete and re-create)", plan.Lines);
        var creations = plan.Steps.Where(s => s.Operation == PlanOperation.Create).Select(s => s.ToString()).ToList();
        Assert.True(creations.IndexOf("create external network internet") < creations.IndexOf("create tenant red"));
        plan.ApplyTo(_running);
        Assert.Equal("198.51.100.10", _running.Get(ResourceKinds.Ports, "h1").FloatingIpv4);
    }

    [Fact]
    public void Giving_an_external_network_an_ipv6_side_re_creates_it_so_the_tenant_may_go_dual_stack_and_a_host_float_over_ipv6()
    {
        var attached = Base
            .Replace("tenants:\n  - name: red\n", "externals:\n  - { name: internet, edge: e2, interface: sdnx0, subnet: 198.51.100.0/24, gateway-ip: 198.51.100.2 }\ntenants:\n  - name: red\n    external: internet\n", StringComparison.Ordinal);
        Plan(attached).ApplyTo(_running);
        var dualStack = attached
            .Replace("gateway-ip: 198.51.100.2 }", "gateway-ip: 198.51.100.2, ipv6-subnet: \"2001:db8:100::/64\", ipv6-gateway-ip: \"2001:db8:100::2\" }", StringComparison.Ordinal)
            .Replace("subnet: 10.1.0.0/24 }", "subnet: 10.1.0.0/24, ipv6-subnet: \"fd00:1::/64\" }", StringComparison.Ordinal)
            .Replace("ip: 10.1.0.100 }", "ip: 10.1.0.100, floating-ipv6: \"2001:db8:100::10\" }", StringComparison.Ordinal);

        var plan = Plan(dualStack);
        plan.ApplyTo(_running);

        Assert.Contains(plan.Lines, line => line.StartsWith("~ external network internet: ipv6_subnet", StringComparison.Ordinal));
        Assert.Equal(("2001:db8:100::/64", "2001:db8:100::2"), (_running.Get(ResourceKinds.ExternalNetworks, "internet").Ipv6Subnet, _running.Get(ResourceKinds.ExternalNetworks, "internet").Ipv6Address));
        Assert.Equal("2001:db8:100::10", _running.Get(ResourceKinds.Ports, "h1").FloatingIpv6);
        Assert.True(Plan(dualStack).IsEmpty);
    }

    [Fact]
    public void A_new_vm_is_one_creation_which_leaves_its_mac_to_the_controller()
    {
        var plan = Plan(Base.Replace("hosts:", "  - { name: red3, edge: e1, network: red/web, ip: 10.1.0.13 }\nhosts:", StringComparison.Ordinal));

        Assert.Equal(["+ vm red3 (echo on e1 in red.web, 10.1.0.13)"], plan.Lines);
        Assert.Equal("plan: 1 to add, 0 to change, 0 to delete", plan.Summary);
        var step = Assert.Single(plan.Steps);
        Assert.Equal("create vm red3", step.ToString());
        Assert.Equal(string.Empty, ((Port)step.Item.Message).Mac);
    }

    [Fact]
    public void A_host_left_out_of_the_file_is_deleted()
    {
        var plan = Plan(Base.Replace("hosts:\n  - { name: h1, edge: e2, network: red/web, ip: 10.1.0.100 }", string.Empty, StringComparison.Ordinal));

        Assert.Equal(["- host h1"], plan.Lines);
        Assert.Equal(["delete host h1"], plan.Steps.Select(s => s.ToString()));
        Assert.Equal("plan: 0 to add, 0 to change, 1 to delete", plan.Summary);
    }

    [Fact]
    public void A_changed_link_cost_is_a_delete_and_a_create_and_taking_the_key_out_again_restores_the_default()
    {
        var changed = Base.Replace("- endpoints: [e1, c1]", "- { endpoints: [e1, c1], cost: 10 }", StringComparison.Ordinal);
        var plan = Plan(changed);

        Assert.Equal(["~ link e1--c1: cost 1 → 10 (delete and re-create)"], plan.Lines);
        Assert.Equal(["delete link e1--c1", "create link e1--c1"], plan.Steps.Select(s => s.ToString()));
        Assert.Equal("plan: 0 to add, 1 to change, 0 to delete", plan.Summary);

        plan.ApplyTo(_running);
        Assert.Equal(["~ link e1--c1: cost 10 → 1 (delete and re-create)"], Plan(Base).Lines);
    }

    [Fact]
    public void What_refers_to_a_changed_object_is_re_created_with_it_and_the_plan_says_why()
    {
        var plan = Plan(Base.Replace("subnet: 10.1.0.0/24 }", "subnet: 10.1.0.0/24, gateway: 10.1.0.254 }", StringComparison.Ordinal));

        Assert.Equal(
            [
                "~ network red.web: ipv4_gateway 10.1.0.1 → 10.1.0.254 (delete and re-create)",
                "~ vm red1: network red.web is re-created (delete and re-create)",
                "~ vm red2: network red.web is re-created (delete and re-create)",
                "~ host h1: network red.web is re-created (delete and re-create)",
            ],
            plan.Lines);
        Assert.Equal("plan: 0 to add, 4 to change, 0 to delete", plan.Summary);
    }

    [Fact]
    public void Deletions_run_first_dependents_before_what_they_refer_to_then_creations_the_other_way_round()
    {
        var plan = Plan(Base.Replace("subnet: 10.1.0.0/24 }", "subnet: 10.1.0.0/24, gateway: 10.1.0.254 }", StringComparison.Ordinal));

        Assert.Equal(
            [
                "delete host h1", "delete vm red2", "delete vm red1", "delete network red.web",
                "create network red.web", "create vm red1", "create vm red2", "create host h1",
            ],
            plan.Steps.Select(s => s.ToString()));
    }

    [Fact]
    public void A_vm_that_targets_a_re_created_vm_is_re_created_after_it()
    {
        var plan = Plan(Base.Replace("{ name: red1, edge: e1,", "{ name: red1, edge: e2,", StringComparison.Ordinal));

        Assert.Equal(["~ vm red1: edge e1 → e2 (delete and re-create)", "~ vm red2: vm red1 is re-created (delete and re-create)"], plan.Lines);
        Assert.Equal(["delete vm red2", "delete vm red1", "create vm red1", "create vm red2"], plan.Steps.Select(s => s.ToString()));
    }

    [Fact]
    public void Applying_a_plan_and_then_the_plan_back_returns_the_state_the_file_describes()
    {
        var original = FabricStates.Canonical(_running.Snapshot());
        var modified = Base
            .Replace("- endpoints: [e1, c1]", "- { endpoints: [e1, c1], cost: 20 }", StringComparison.Ordinal)
            .Replace("hosts:\n  - { name: h1, edge: e2, network: red/web, ip: 10.1.0.100 }", string.Empty, StringComparison.Ordinal)
            + "\nacls:\n  - { tenant: red, action: deny, protocol: tcp, ports: \"22\" }";

        Plan(modified).ApplyTo(_running);
        Assert.True(Plan(modified).IsEmpty);
        Plan(Base).ApplyTo(_running);

        Assert.Equal(original, FabricStates.Canonical(_running.Snapshot()));
    }

    [Fact]
    public void A_mac_the_file_leaves_out_keeps_the_running_one_and_a_declared_one_replaces_it()
    {
        var running = Load(Base.Replace("ip: 10.1.0.11 }", "ip: 10.1.0.11, mac: \"02:00:00:00:00:99\" }", StringComparison.Ordinal));

        Assert.True(Plan(Base, running).IsEmpty);
        Assert.Equal(
            ["~ vm red1: mac 02:00:00:00:00:99 → 02:00:00:00:00:42 (delete and re-create)", "~ vm red2: vm red1 is re-created (delete and re-create)"],
            Plan(Base.Replace("ip: 10.1.0.11 }", "ip: 10.1.0.11, mac: \"02:00:00:00:00:42\" }", StringComparison.Ordinal), running).Lines);
    }

    [Fact]
    public void A_re_created_port_has_its_undeclared_mac_allocated_again()
    {
        var running = Load(Base.Replace("ip: 10.1.0.11 }", "ip: 10.1.0.11, mac: \"02:00:00:00:00:99\" }", StringComparison.Ordinal));

        var plan = Plan(Base.Replace("{ name: red1, edge: e1,", "{ name: red1, edge: e2,", StringComparison.Ordinal), running);

        var create = plan.Steps.Single(s => s.ToString() == "create vm red1");
        Assert.Equal(string.Empty, ((Port)create.Item.Message).Mac);
    }

    [Fact]
    public void A_plan_the_running_state_refuses_is_reported_at_the_files_line_and_column()
    {
        var running = Load(Base.Replace("ip: 10.1.0.11 }", "ip: 10.1.0.11, mac: \"02:00:00:00:00:99\" }", StringComparison.Ordinal));
        var desired = Base.Replace("ip: 10.1.0.100 }", "ip: 10.1.0.100, mac: \"02:00:00:00:00:99\" }", StringComparison.Ordinal);

        var refused = Assert.Throws<TopologyFileException>(() => Plan(desired, running));

        var error = Assert.Single(refused.Errors);
        Assert.Equal(("t.yaml", 15), (error.File, error.Line));
        Assert.Equal(desired.Split('\n')[14].IndexOf("\"02:00:00:00:00:99\"", StringComparison.Ordinal) + 1, error.Column);
        Assert.Equal("mac 02:00:00:00:00:99 is already used by port 'red1' of network 'red.web'", error.Message);
    }

    [Fact]
    public void A_link_set_down_on_the_running_fabric_stays_down_unless_the_file_says_admin_down()
    {
        _running.SetLinkState("c1--e2", adminDown: true);

        Assert.True(Plan(Base).IsEmpty);
        var up = Plan(Base.Replace("- endpoints: [c1, e2]", "- { endpoints: [c1, e2], admin-down: false }", StringComparison.Ordinal));

        Assert.Equal(["~ link c1--e2: admin_down true → false (in place)"], up.Lines);
        Assert.Equal(["set link c1--e2 up"], up.Steps.Select(s => s.ToString()));
        Assert.Equal("plan: 0 to add, 1 to change, 0 to delete", up.Summary);
        up.ApplyTo(_running);
        Assert.False(_running.Get(ResourceKinds.Links, "c1--e2").AdminDown);
    }

    [Fact]
    public void A_link_re_created_for_another_change_keeps_its_running_admin_state()
    {
        _running.SetLinkState("c1--e2", adminDown: true);

        Plan(Base.Replace("- endpoints: [c1, e2]", "- { endpoints: [c1, e2], cost: 3 }", StringComparison.Ordinal)).ApplyTo(_running);

        var link = _running.Get(ResourceKinds.Links, "c1--e2");
        Assert.Equal((3u, true), (link.Cost, link.AdminDown));
    }

    [Fact]
    public void A_field_the_file_format_has_no_key_for_keeps_the_value_set_through_the_api()
    {
        var state = _running.Snapshot();
        state.Networks[0].Mtu = 9000;
        state.Edges[0].Address = "192.0.2.1:6635";
        var running = new FabricModel(store: null);
        foreach (var item in StateObjects.InCreationOrder(state))
        {
            item.CreateIn(running);
        }

        Assert.True(Plan(Base, running).IsEmpty);
    }

    [Fact]
    public void A_plan_run_in_process_that_another_change_overtook_names_the_refused_step_and_keeps_those_before_it()
    {
        var model = new FabricModel(store: null);
        var plan = TopologyFile.Parse(Base, "t.yaml").PlanFrom(model.Snapshot());
        model.Create(ResourceKinds.Tenants, new Tenant { Name = "red" });
        var number = plan.Steps.Select(s => s.ToString()).ToList().IndexOf("create tenant red") + 1;

        var refused = Assert.Throws<PlanStepException>(() => plan.ApplyTo(model));

        Assert.Equal($"step {number} of {plan.Steps.Count} (create tenant red) failed: AlreadyExists: tenant 'red' already exists", refused.Message);
        Assert.Equal(plan.Steps.Take(number - 1), refused.Applied);
        Assert.Equal(2, model.Snapshot().Edges.Count);
        Assert.Empty(model.Snapshot().Networks);
    }

    private TopologyPlan Plan(string desired) => Plan(desired, _running);

    private static TopologyPlan Plan(string desired, FabricModel running) =>
        TopologyFile.Parse(desired, "t.yaml").PlanFrom(running.Snapshot());

    private static FabricModel Load(string text)
    {
        var model = new FabricModel(store: null);
        TopologyFile.Parse(text, "t.yaml").LoadInto(model);
        return model;
    }
}
