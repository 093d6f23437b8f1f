using System.Net;
using Sdn.Cli.Commands;
using Sdn.Cli.Hosting;
using Sdn.Common.Capture;
using Sdn.Contracts;
using Sdn.Contracts.Rpc;
using Sdn.Fabric.Controller.Model;
using Sdn.Fabric.Controller.Northbound;
using Sdn.Fabric.Controller.Topology;

namespace Sdn.Cli.Tests;

/// <summary>
/// `sdn status`, `sdn links`, `sdn link set`, and the refusals of `sdn flows` and `sdn trace`, against a real controller
/// on loopback that holds the quickstart topology and has no agents connected.
/// </summary>
public sealed class FabricCommandsTests : IAsyncLifetime
{
    private ControllerServer _controller = null!;

    public async Task InitializeAsync()
    {
        _controller = await ControllerServer.StartAsync(new IPEndPoint(IPAddress.Loopback, 0), new FabricModel(store: null));
        TopologyFile.Load(RepositoryRoot.Combine("topologies", "quickstart.yaml")).LoadInto(_controller.Model);
    }

    public async Task DisposeAsync() => await _controller.DisposeAsync();

    [Fact]
    public async Task Links_lists_every_link_with_its_ends_and_state()
    {
        var (exit, output) = await InvokeAsync("links");

        Assert.Equal(0, exit);
        Assert.Matches(@"LINK\s+A\s+B\s+COST\s+ADMIN\n", output);
        Assert.Matches(@"\ne1--c1\s+e1:e1--c1\s+c1:e1--c1\s+1\s+up\n", output);
        Assert.Equal(5, output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public async Task Link_set_down_takes_the_link_down_in_the_model_and_up_brings_it_back()
    {
        Assert.Equal((0, "link c2--e2: down\n"), await InvokeAsync("link", "set", "c2--e2", "down"));
        Assert.True(_controller.Model.Get(ResourceKinds.Links, "c2--e2").AdminDown);
        Assert.Matches(@"\nc2--e2\s.*\sdown\n", (await InvokeAsync("links")).Output);

        Assert.Equal((0, "link c2--e2: up\n"), await InvokeAsync("link", "set", "c2--e2", "up"));
        Assert.False(_controller.Model.Get(ResourceKinds.Links, "c2--e2").AdminDown);
    }

    [Fact]
    public async Task Link_set_on_an_unknown_link_fails_with_the_controllers_reason()
    {
        var (exit, output) = await InvokeAsync("link", "set", "e9--c9", "down");

        Assert.Equal(1, exit);
        Assert.Contains("NotFound: link 'e9--c9' does not exist", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_shows_every_node_and_whether_its_agent_is_connected()
    {
        var (exit, output) = await InvokeAsync("status");

        Assert.Equal(0, exit);
        Assert.Contains("2 edges, 2 core nodes, 4 links, 5 ports", output, StringComparison.Ordinal);
        Assert.Matches(@"\ne1\s+edge\s+disconnected\s+0\n", output);
        Assert.Matches(@"\nc2\s+core\s+disconnected\s+0\n", output);
    }

    [Fact]
    public async Task Status_counts_the_objects_in_each_state_and_names_each_that_is_not_up_with_why()
    {
        var (exit, output) = await InvokeAsync("status");

        Assert.Equal(0, exit);
        Assert.Contains("\nports: 5 pending; vms: 4 pending; hosts: 1 pending; links: 4 pending\n", output, StringComparison.Ordinal);
        Assert.Contains("\n  vm red1 on e1: pending: the agent of e1 is not connected\n", output, StringComparison.Ordinal);
        Assert.Contains("\n  link e1--c1: pending: the agent of e1 is not connected\n", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Vms_hosts_and_ports_list_their_endpoints_with_their_state()
    {
        var vms = await InvokeAsync("vms");
        var hosts = await InvokeAsync("hosts");
        var ports = await InvokeAsync("ports");

        Assert.Equal(0, vms.Exit);
        Assert.Matches(@"^VM\s+EDGE\s+NETWORK\s+APP\s+IPV4\s+IPV6\s+MEMORY\s+VCPUS\s+STATE\s+REASON\n", vms.Output);
        Assert.Matches(@"\nred1\s+e1\s+red.web\s+echo\s+10.1.0.11\s+\d+ MiB\s+1\s+pending\s+the agent of e1 is not connected\n", vms.Output);
        Assert.Equal(5, vms.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Matches(@"\nh1\s+e2\s+red.web\s+10.1.0.100\s+pending\s", hosts.Output);
        Assert.Equal(2, hosts.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Matches(@"\nh1\s+e2\s+red.web\s+tap\s+[0-9a-f:]{17}\s+10.1.0.100\s+on\s+pending\s", ports.Output);
        Assert.Equal(6, ports.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public async Task Vms_json_prints_each_vm_as_the_apis_port_with_its_state_and_reason()
    {
        var (exit, output) = await InvokeAsync("vms", "--json");

        Assert.Equal(0, exit);
        var vms = System.Text.Json.Nodes.JsonNode.Parse(output)!.AsArray();
        Assert.Equal(["blue1", "blue2", "red1", "red2"], vms.Select(v => (string)v!["name"]!));
        Assert.Equal("echo", (string)vms[2]!["vm"]!["app"]!);
        Assert.Equal("pending", (string)vms[2]!["state"]!);
        Assert.Equal("the agent of e1 is not connected", (string)vms[2]!["reason"]!);
    }

    [Fact]
    public async Task A_controller_that_is_not_there_is_one_line_and_exit_1()
    {
        var (exit, output) = await InvokeAsync("links", "--controller", "http://127.0.0.1:1");

        Assert.Equal(1, exit);
        Assert.Contains("sdn: Unavailable:", output, StringComparison.Ordinal);
        Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Theory]
    [InlineData("--duration takes a number of seconds", "capture", "red1", "--duration", "-1")]
    [InlineData("-C bounds the files of -w FILE", "capture", "red1", "-C", "1")]
    [InlineData("-C bounds the files of -w FILE", "capture", "red1", "-C", "1", "-w", "-")]
    [InlineData("-W N (at least 1) sets how many files", "capture", "red1", "-w", "x.pcapng", "-W", "3")]
    [InlineData("-W N (at least 1) sets how many files", "capture", "red1", "-w", "x.pcapng", "-C", "1", "-W", "0")]
    public async Task Capture_limits_that_do_not_fit_together_are_usage_errors(string problem, params string[] args)
    {
        var (exit, output) = await InvokeAsync(args);

        Assert.NotEqual(0, exit);
        Assert.Contains(problem, output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Capture_with_a_bad_filter_fails_with_libpcaps_message_before_any_agent_is_asked()
    {
        var (exit, output) = await InvokeAsync("capture", "red1", "-f", "tcp port");

        Assert.Equal(1, exit);
        Assert.Equal("sdn: InvalidArgument: invalid capture filter 'tcp port': can't parse filter expression: syntax error\n", output);
    }

    [Fact]
    public async Task Capture_of_an_unknown_port_or_interface_is_not_found()
    {
        Assert.Contains("NotFound: port 'red9' does not exist", (await InvokeAsync("capture", "red9")).Output, StringComparison.Ordinal);
        Assert.Contains("NotFound: interface 'e1/e9--c1' does not exist", (await InvokeAsync("capture", "e1/e9--c1")).Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ping_between_unknown_endpoints_is_not_found_and_exit_1()
    {
        Assert.Equal((1, "sdn: NotFound: port 'nope' does not exist; create it first or check the name\n"), await InvokeAsync("ping", "nope", "red1"));
        Assert.Equal((1, "sdn: NotFound: port 'nope' does not exist; create it first or check the name\n"), await InvokeAsync("ping", "red1", "nope"));
    }

    [Fact]
    public async Task Ping_over_ipv6_between_ipv4_only_endpoints_is_refused_with_the_reason_alone()
    {
        var (exit, output) = await InvokeAsync("ping", "red1", "red2", "-6");

        Assert.Equal(1, exit);
        Assert.StartsWith("sdn: InvalidArgument: 'red1' has no IPv6 address: network 'red.web' has no IPv6 subnet", output, StringComparison.Ordinal);
        Assert.DoesNotContain("PING", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mirror_refuses_a_bad_tap_name_and_a_core_link_before_any_agent_is_asked()
    {
        Assert.Contains("InvalidArgument: tap_name 'no/slash' is not a Linux interface name", (await InvokeAsync("mirror", "red1", "--to-tap", "no/slash")).Output, StringComparison.Ordinal);
        Assert.Contains("InvalidArgument: tap_name 'sixteen-chars-ab'", (await InvokeAsync("mirror", "red1", "--to-tap", "sixteen-chars-ab")).Output, StringComparison.Ordinal);
        Assert.Contains("FailedPrecondition: 'c1/e1--c1' is a core link", (await InvokeAsync("mirror", "c1/e1--c1", "--to-tap", "m0")).Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Flows_needs_a_known_edge_whose_agent_is_connected()
    {
        Assert.Equal((1, "sdn: NotFound: edge 'e9' does not exist; create it first or check the name\n"), await InvokeAsync("flows", "e9"));
        Assert.Contains("sdn: NotFound: edge 'c1' does not exist", (await InvokeAsync("flows", "c1")).Output, StringComparison.Ordinal);

        var (exit, output) = await InvokeAsync("flows", "e1", "--table", "0");

        Assert.Equal(1, exit);
        Assert.StartsWith("sdn: Unavailable: the agent of node 'e1' is not connected", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Trace_refuses_a_bad_packet_naming_the_field_and_changes_nothing()
    {
        var before = _controller.Model.Version;

        Assert.Equal((1, "sdn: --packet: nw_dst=10.1.0.x is not an IPv4 address\n"), await InvokeAsync("trace", "red1", "--packet", "icmp,nw_dst=10.1.0.x"));
        Assert.Contains("sdn: NotFound: port 'red9' does not exist", (await InvokeAsync("trace", "red9", "--packet", "icmp,nw_dst=10.1.0.12")).Output, StringComparison.Ordinal);
        Assert.Contains("sdn: Unavailable: the agent of node 'e1' is not connected", (await InvokeAsync("trace", "red1", "--packet", "icmp,nw_dst=10.1.0.12")).Output, StringComparison.Ordinal);
        Assert.Equal(before, _controller.Model.Version);
    }

    [Theory]
    [InlineData("give the packet with either --packet SPEC or --from-pcap FILE", "trace", "red1")]
    [InlineData("give the packet with either --packet SPEC or --from-pcap FILE", "trace", "red1", "--packet", "icmp", "--from-pcap", "x.pcapng")]
    [InlineData("name the port the packet arrives on", "trace", "--packet", "icmp,nw_dst=10.1.0.12")]
    [InlineData("--index picks a packet of --from-pcap FILE", "trace", "red1", "--packet", "icmp,nw_dst=10.1.0.12", "--index", "2")]
    [InlineData("--index 0 is no packet number", "trace", "--from-pcap", "x.pcapng", "--index", "0")]
    public async Task Trace_without_exactly_one_packet_source_is_a_usage_error(string problem, params string[] args)
    {
        var (exit, output) = await InvokeAsync(args);

        Assert.NotEqual(0, exit);
        Assert.Contains(problem, output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Trace_from_a_capture_file_names_the_file_when_it_cannot_replay_the_packet()
    {
        var file = Path.Combine(Path.GetTempPath(), $"sdn-trace-{Guid.NewGuid():N}.pcapng");
        using (var writer = new PcapngWriter(File.Create(file)))
        {
            var uplink = writer.AddInterface("e1--c1", "uplink", LinkType.Ethernet, 65535);
            var frame = PacketSpec.Parse("icmp,nw_dst=10.1.0.12").Build(_controller.Model.Get(ResourceKinds.Ports, "red1"), _controller.Model.Get(ResourceKinds.Networks, "red.web"), []);
            writer.WritePacket(uplink, 0, frame, frame.Length, CaptureDirection.Inbound);
        }

        try
        {
            Assert.Contains($"sdn: {file}.none: cannot read the capture file", (await InvokeAsync("trace", "--from-pcap", file + ".none")).Output, StringComparison.Ordinal);
            Assert.Equal((1, $"sdn: {file}: --index 2 is out of range; the file holds 1 packet(s)\n"), await InvokeAsync("trace", "--from-pcap", file, "--index", "2"));
            Assert.Equal(
                (1, $"sdn: {file}: packet 1 was captured on 'e1--c1', which is no port of the model; name the port it arrives on: sdn trace PORT --from-pcap {file}\n"),
                await InvokeAsync("trace", "--from-pcap", file));
            Assert.Contains("Unavailable: the agent of node 'e1'", (await InvokeAsync("trace", "red1", "--from-pcap", file)).Output, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Shutdown_answers_with_the_pid_and_asks_the_serving_process_to_stop()
    {
        using var channel = RpcChannels.ForAddress(_controller.Address);

        var reply = await new Controller.ControllerClient(channel).ShutdownAsync(new ShutdownRequest());

        Assert.Equal((uint)Environment.ProcessId, reply.Pid);
        Assert.True(SpinWait.SpinUntil(() => _controller.ShutdownRequested.IsCancellationRequested, TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Down_without_a_controller_is_unavailable_and_one_that_does_not_stop_times_out_with_the_pid()
    {
        var (absentExit, absent) = await InvokeAsync("down", "--controller", "http://127.0.0.1:1");
        // This controller runs inside the test process, which Shutdown does not stop.
        var (exit, output) = await InvokeAsync("down", "--timeout", "0");

        Assert.Equal(1, absentExit);
        Assert.StartsWith("sdn: Unavailable:", absent, StringComparison.Ordinal);
        Assert.Equal(1, exit);
        Assert.EndsWith(
            $"sdn: the fabric at {_controller.Address} is still not down after 0 s; pid {Environment.ProcessId} may still be tearing down (see its log), or stop it with `kill {Environment.ProcessId}`\n",
            output,
            StringComparison.Ordinal);
    }

    private Task<(int Exit, string Output)> InvokeAsync(params string[] args) => SdnCli.InvokeAsync(_controller.Address, args);
}
