using Sdn.Common.Interop;
using Sdn.EndToEnd.Support;

namespace Sdn.EndToEnd.Topologies;

/// <summary>The real `sdn up` process: progress, the summary, the applications' output, the fabric running until SIGTERM or `sdn down`, then nothing left.</summary>
public sealed class SdnUpProcessTests : IDisposable
{
    private readonly string _host = $"up{Guid.NewGuid().ToString("N")[..6]}";
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"sdn-up-{Guid.NewGuid():N}.yaml");

    public SdnUpProcessTests() => File.WriteAllText(_file, $$"""
        name: cli
        core: [ { name: c1 } ]
        edges: [ { name: e1 }, { name: e2 } ]
        links: [ { endpoints: [e1, c1] }, { endpoints: [c1, e2] } ]
        tenants: [ { name: t, networks: [ { name: n, subnet: 10.7.0.0/24 } ] } ]
        vms:
          - { name: v1, edge: e1, network: t/n, ip: 10.7.0.11 }
          - { name: v2, edge: e2, network: t/n, ip: 10.7.0.12, app: ping, params: { target: v1, count: 2, interval-ms: 10 } }
        hosts: [ { name: {{_host}}, edge: e2, network: t/n, ip: 10.7.0.100 } ]
        """);

    public void Dispose() => File.Delete(_file);

    [KvmFact]
    public Task Sdn_up_runs_the_fabric_in_the_foreground_and_sigterm_tears_it_down() =>
        RunInTheForegroundUntilAsync(sdn =>
        {
            ExternalCommand.Run("kill", "-TERM", sdn.Process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            return Task.CompletedTask;
        });

    [KvmFact]
    public Task Sdn_up_in_the_foreground_stops_as_on_sigterm_when_sdn_down_asks() =>
        RunInTheForegroundUntilAsync(async sdn =>
        {
            var (exit, output) = await SdnCli.InvokeAsync(sdn.Controller, "down");
            Assert.True(exit == 0, output);
        });

    [KvmFact]
    public async Task A_teardown_step_that_fails_is_one_line_and_exit_1_after_every_other_step_ran()
    {
        using var sdn = await ForegroundSdnUp.StartAsync(_file);
        // Someone deletes the host's namespace under the running fabric: deleting it again at teardown fails.
        ExternalCommand.Run("ip", "netns", "del", "sdn-" + _host);

        var down = await SdnCli.InvokeAsync(sdn.Controller, "down");
        var (exit, rest) = sdn.WaitForExit();

        Assert.True(down.Exit == 0, down.Output);
        Assert.Equal(1, exit);
        Assert.Equal($"sdn up: tearing down: ExternalCommandException: ip netns del sdn-{_host} failed: Cannot remove namespace file \"/run/netns/sdn-{_host}\": No such file or directory\n", await sdn.Errors);
        Assert.Contains("sdn up: tearing down\n", rest, StringComparison.Ordinal);
        Assert.EndsWith("\nsdn up: down, but not everything could be torn down (see above)", rest.Trim(), StringComparison.Ordinal);
        Assert.DoesNotContain(_host, ExternalCommand.Run("ip", "link", "show"), StringComparison.Ordinal);
    }

    /// <summary>Runs `sdn up` in the foreground until the fabric is up, stops it with <paramref name="stop"/>, and checks it exits 0 leaving nothing behind.</summary>
    private async Task RunInTheForegroundUntilAsync(Func<ForegroundSdnUp, Task> stop)
    {
        using var sdn = await ForegroundSdnUp.StartAsync(_file);
        var log = sdn.Log;
        Assert.Contains("every node programmed", log, StringComparison.Ordinal);
        Assert.Matches(@"\nv1\s+t\.n\s+10\.7\.0\.11\s+02(:[0-9a-f]{2}){5}\s+e1\s+echo", log);
        Assert.Contains("3 received", ExternalCommand.Run("ip", "netns", "exec", "sdn-" + _host, "ping", "-c", "3", "-i", "0.2", "-W", "2", "10.7.0.11"), StringComparison.Ordinal);

        await stop(sdn);
        var (exit, rest) = sdn.WaitForExit();
        Assert.Equal(0, exit);
        Assert.EndsWith("sdn up: down", rest.Trim(), StringComparison.Ordinal);
        Assert.Contains("vm v2: ping: reply seq=1 ", log + rest, StringComparison.Ordinal);
        Assert.DoesNotContain("vm v1:", log + rest, StringComparison.Ordinal);
        Assert.DoesNotContain("sdn-" + _host, ExternalCommand.Run("ip", "netns", "list"), StringComparison.Ordinal);
    }

    [KvmFact]
    public void Sdn_up_detached_returns_once_the_fabric_is_up_and_sigterm_to_its_pid_tears_it_down()
    {
        var up = DetachedSdnUp.Start(_file);
        var log = up.Log;
        try
        {
            Assert.Contains("every node programmed", up.Output, StringComparison.Ordinal);
            Assert.Contains("3 received", ExternalCommand.Run("ip", "netns", "exec", "sdn-" + _host, "ping", "-c", "3", "-i", "0.2", "-W", "2", "10.7.0.11"), StringComparison.Ordinal);
        }
        finally
        {
            ExternalCommand.Run("kill", "-TERM", up.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Assert.True(SpinWait.SpinUntil(() => File.ReadAllText(log).Contains("sdn up: down", StringComparison.Ordinal), TimeSpan.FromSeconds(30)), File.ReadAllText(log));
            File.Delete(log);
        }

        Assert.DoesNotContain("sdn-" + _host, ExternalCommand.Run("ip", "netns", "list"), StringComparison.Ordinal);
    }
}
