using System.Diagnostics;
using System.Net;
using Sdn.Cli.Hosting;
using Sdn.Cli.Commands;
using Sdn.Contracts;
using Sdn.Contracts.Rpc;
using Sdn.Fabric.Controller.Model;
using Sdn.Testing;

namespace Sdn.Cli.Tests;

public class ControllerCommandTests
{
    [Fact]
    public async Task Sdn_controller_serves_the_api_and_keeps_its_state_across_a_kill()
    {
        var stateDirectory = Path.Combine(Path.GetTempPath(), "sdn-cli-" + Guid.NewGuid().ToString("N"));
        try
        {
            using (var first = StartController(stateDirectory, out var address))
            using (var channel = RpcChannels.ForAddress(address))
            {
                await new Controller.ControllerClient(channel).CreateTenantAsync(new Tenant { Name = "acme" });
                first.Kill();
                await first.WaitForExitAsync();
            }

            using var second = StartController(stateDirectory, out var restarted);
            using var again = RpcChannels.ForAddress(restarted);
            Assert.Equal("acme", (await new Controller.ControllerClient(again).GetTenantAsync(new GetRequest { Name = "acme" })).Name);
            second.Kill();
        }
        finally
        {
            Directory.Delete(stateDirectory, recursive: true);
        }
    }

    [Theory]
    [InlineData(new[] { "--store", "http://127.0.0.1:2379" }, "'http://127.0.0.1:2379' is not an etcd store: write etcd://HOST:PORT[,HOST:PORT...]")]
    [InlineData(new[] { "--store", "etcd://10.0.0.1:2379,10.0.0.2" }, "--store: '10.0.0.2' in etcd://10.0.0.1:2379,10.0.0.2 is not an etcd member's HOST:PORT")]
    [InlineData(new[] { "--store", "etcd://10.0.0.1:2379", "--state-dir", "/tmp/x" }, "--store and --state-dir name two places for the desired state: give one")]
    [InlineData(new[] { "--advertise", "http://10.0.0.1:6653" }, "--advertise is for controllers that share an etcd --store")]
    [InlineData(new[] { "--store", "etcd://10.0.0.1:2379", "--listen", "0.0.0.0:6653", "--insecure" }, "with --store and --listen 0.0.0.0:6653, give --advertise http://ADDRESS:6653")]
    [InlineData(new[] { "--store", "etcd://10.0.0.1:2379", "--advertise", "10.0.0.1:6653" }, "--advertise: '10.0.0.1:6653' is not a controller address")]
    public void A_bad_store_or_advertise_is_a_usage_error_and_starts_nothing(string[] arguments, string message)
    {
        var output = new StringWriter();

        var exit = SdnCommandLine.Build().Parse(["controller", .. arguments]).Invoke(new System.CommandLine.InvocationConfiguration { Output = output, Error = output });

        Assert.NotEqual(0, exit);
        Assert.Contains(message, output.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("serving on", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_listen_address_is_a_usage_error()
    {
        var output = new StringWriter();

        var exit = SdnCommandLine.Build().Parse(["controller", "--listen", "localhost"]).Invoke(new System.CommandLine.InvocationConfiguration { Output = output, Error = output });

        Assert.NotEqual(0, exit);
        Assert.Contains("'localhost' is not an address and port", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Commands_send_the_operators_token_from_the_token_file_and_without_it_are_told_to()
    {
        var tokenFile = Path.Combine(Path.GetTempPath(), $"sdn-tokens-{Guid.NewGuid():N}");
        File.WriteAllText(tokenFile, "operator operator-token-0123456789\n");
        try
        {
            await using var controller = await ControllerServer.StartAsync(
                new IPEndPoint(IPAddress.Loopback, 0), new FabricModel(store: null), access: new ControllerAccess(Tokens: AccessTokenFile.Load(tokenFile)));

            var (withToken, status) = await SdnCli.InvokeAsync(controller.Address, "status", "--token-file", tokenFile);
            var (without, refusal) = await SdnCli.InvokeAsync(controller.Address, "links");

            Assert.True(withToken == 0, status);
            Assert.Equal(1, without);
            Assert.Equal("sdn: Unauthenticated: this controller needs a token: pass --token-file FILE (sent as 'authorization: Bearer TOKEN')\n", refusal);
        }
        finally
        {
            File.Delete(tokenFile);
        }
    }

    [Theory]
    [InlineData(new[] { "--listen", "0.0.0.0:0" }, "sdn controller: refusing to serve on 0.0.0.0:0 with neither tokens nor TLS")]
    [InlineData(new[] { "--tls-cert", "controller.pem" }, "--tls-cert and --tls-key go together")]
    [InlineData(new[] { "--token-file", "/nonexistent/tokens" }, "sdn controller: /nonexistent/tokens: Could not find")]
    public void A_controller_that_cannot_serve_safely_says_why_and_does_not_start(string[] args, string error)
    {
        var output = new StringWriter();

        var exit = SdnCommandLine.Build().Parse(["controller", "--state-dir", Path.GetTempPath(), .. args]).Invoke(new System.CommandLine.InvocationConfiguration { Output = output, Error = output });

        Assert.NotEqual(0, exit);
        Assert.Contains(error, output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Detached_the_controller_serves_in_the_background_until_sdn_down()
    {
        var stateDirectory = Path.Combine(Path.GetTempPath(), "sdn-cli-" + Guid.NewGuid().ToString("N"));
        var output = new StringWriter();

        var exit = await SdnCommandLine.Build().Parse(["controller", "-d", "--listen", "127.0.0.1:0", "--state-dir", stateDirectory])
            .InvokeAsync(new System.CommandLine.InvocationConfiguration { Output = output, Error = output });

        var detached = System.Text.RegularExpressions.Regex.Match(output.ToString(), @"serving on (\S+) at .*\nsdn controller: detached; log in (\S+); stop it with `sdn down` or `kill \d+`");
        Assert.True(exit == 0 && detached.Success, output.ToString());
        var (down, said) = await SdnCli.InvokeAsync(new Uri(detached.Groups[1].Value), "down");
        Assert.True(down == 0, said);
        File.Delete(detached.Groups[2].Value);
        Directory.Delete(stateDirectory, recursive: true);
    }

    /// <summary>Runs the real `sdn controller` on an ephemeral port and reads the address it prints.</summary>
    private static Process StartController(string stateDirectory, out Uri address)
    {
        var sdn = Path.Combine(AppContext.BaseDirectory, "sdn.dll");
        var process = Process.Start(new ProcessStartInfo("dotnet", [sdn, "controller", "--listen", "127.0.0.1:0", "--state-dir", stateDirectory])
        {
            RedirectStandardOutput = true,
        })!;
        var line = process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30)).GetAwaiter().GetResult()
            ?? throw new InvalidOperationException("sdn controller exited without saying where it serves");
        address = new Uri(line.Split(' ')[4]);
        return process;
    }
}
