using System.Net;
using Sdn.Fabric.Controller.Cli;
using Sdn.Fabric.Controller.Model;
using Sdn.Fabric.Controller.Northbound;
using Sdn.Fabric.Controller.Tests.Topology;
using Sdn.Fabric.Controller.Topology;

namespace Sdn.Fabric.Controller.Tests.Cli;

/// <summary>`sdn status`, `sdn links` and `sdn link set` against a real controller on loopback that holds the quickstart topology.</summary>
public sealed class FabricCommandsTests : IAsyncLifetime
{
    private ControllerServer _controller = null!;

    public async Task InitializeAsync()
    {
        _controller = await ControllerServer.StartAsync(new IPEndPoint(IPAddress.Loopback, 0), store: null);
        TopologyModel.Load(TopologyFile.Load(RepositoryRoot.Combine("topologies", "quickstart.yaml")), _controller.Model);
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
    public async Task A_controller_that_is_not_there_is_one_line_and_exit_1()
    {
        var (exit, output) = await InvokeAsync("links", "--controller", "http://127.0.0.1:1");

        Assert.Equal(1, exit);
        Assert.Contains("sdn: Unavailable:", output, StringComparison.Ordinal);
        Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
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
    public async Task Mirror_refuses_a_bad_tap_name_and_a_core_link_before_any_agent_is_asked()
    {
        Assert.Contains("InvalidArgument: tap_name 'no/slash' is not a Linux interface name", (await InvokeAsync("mirror", "red1", "--to-tap", "no/slash")).Output, StringComparison.Ordinal);
        Assert.Contains("InvalidArgument: tap_name 'sixteen-chars-ab'", (await InvokeAsync("mirror", "red1", "--to-tap", "sixteen-chars-ab")).Output, StringComparison.Ordinal);
        Assert.Contains("FailedPrecondition: 'c1/e1--c1' is a core link", (await InvokeAsync("mirror", "c1/e1--c1", "--to-tap", "m0")).Output, StringComparison.Ordinal);
    }

    private async Task<(int Exit, string Output)> InvokeAsync(params string[] args)
    {
        var output = new StringWriter { NewLine = "\n" };
        var config = new System.CommandLine.InvocationConfiguration { Output = output, Error = output };
        var address = args.Contains("--controller") ? [] : new[] { "--controller", _controller.Address.ToString() };
        var exit = await SdnCommandLine.Build().Parse([.. args, .. address]).InvokeAsync(config);
        return (exit, output.ToString());
    }
}
