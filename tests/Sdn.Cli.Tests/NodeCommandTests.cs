using System.CommandLine;
using Sdn.Cli.Commands;

namespace Sdn.Cli.Tests;

/// <summary>What `sdn edge` and `sdn core` (and, for --metrics, `sdn controller` and `sdn up`) refuse before they start anything.</summary>
public class NodeCommandTests
{
    [Theory]
    [InlineData("edge", "192.0.2.77", "sdn edge e1: underlay 192.0.2.77 is not an address of this host; it has 127.0.0.1")]
    [InlineData("core", "ctl.example", "'ctl.example' is not an IPv4 address, or address and port, such as 192.0.2.10 or 192.0.2.10:6635")]
    [InlineData("edge", "127.0.0.1:0", "'127.0.0.1:0' is not an IPv4 address")]
    public void An_underlay_that_is_not_this_hosts_is_refused(string verb, string underlay, string error)
    {
        var (exit, output) = Invoke(verb, "--name", "e1", "--underlay", underlay);

        Assert.NotEqual(0, exit);
        Assert.Contains(error, output, StringComparison.Ordinal);
    }

    [Fact]
    public void A_token_file_without_the_nodes_token_is_refused()
    {
        var tokens = Path.Combine(Path.GetTempPath(), $"sdn-tokens-{Guid.NewGuid():N}");
        File.WriteAllText(tokens, "node:e2 e2-token-0123456789abcdef\n");
        try
        {
            var (exit, output) = Invoke("edge", "--name", "e1", "--underlay", "127.0.0.1", "--token-file", tokens);

            Assert.Equal(1, exit);
            Assert.Contains($"sdn edge e1: {tokens}: no token for node:e1; add a line 'node:e1 TOKEN'", output, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(tokens);
        }
    }

    [Theory]
    [InlineData("edge", "--name", "e1", "--underlay", "127.0.0.1", "--metrics", "nonsense")]
    [InlineData("core", "--name", "c1", "--underlay", "127.0.0.1", "--metrics", "127.0.0.1")]
    [InlineData("controller", "--metrics", "localhost:9464")]
    [InlineData("up", "topology.yaml", "--metrics", "127.0.0.1:99999")]
    public void A_metrics_address_that_is_not_an_address_and_port_is_a_usage_error(params string[] args)
    {
        var (exit, output) = Invoke(args);

        Assert.NotEqual(0, exit);
        Assert.Contains($"--metrics '{args[^1]}' is not an address and port such as 127.0.0.1:9464", output, StringComparison.Ordinal);
    }

    [Fact]
    public void A_host_prefix_longer_than_five_characters_is_a_usage_error()
    {
        var (exit, output) = Invoke("edge", "--name", "e1", "--underlay", "127.0.0.1", "--host-prefix", "toolong-");

        Assert.NotEqual(0, exit);
        Assert.Contains("--host-prefix 'toolong-' is longer than 5 characters", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Detached_a_node_runs_on_in_the_background_says_how_to_stop_it_and_logs_an_absent_controller()
    {
        var output = new StringWriter();

        var exit = await SdnCommandLine.Build().Parse(["core", "-d", "--name", "c1", "--underlay", "127.0.0.1", "--controller", "http://127.0.0.1:1"])
            .InvokeAsync(new InvocationConfiguration { Output = output, Error = output });

        var stop = System.Text.RegularExpressions.Regex.Match(output.ToString(), @"sdn core c1: detached; log in (\S+); stop it with `kill (\d+)`");
        Assert.True(exit == 0 && stop.Success, output.ToString());
        using var node = System.Diagnostics.Process.GetProcessById(int.Parse(stop.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture));
        Assert.False(node.HasExited);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!File.ReadAllText(stop.Groups[1].Value).Contains("agent c1: no session with the controller at http://127.0.0.1:1/: ", StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, $"the node's log does not say the controller is away:\n{File.ReadAllText(stop.Groups[1].Value)}");
            await Task.Delay(50);
        }

        node.Kill();
        await node.WaitForExitAsync();
        File.Delete(stop.Groups[1].Value);
    }

    private static (int Exit, string Output) Invoke(params string[] args)
    {
        var output = new StringWriter();
        var exit = SdnCommandLine.Build().Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = output });
        return (exit, output.ToString());
    }
}
