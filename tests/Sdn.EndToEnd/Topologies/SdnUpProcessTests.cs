using System.Diagnostics;
using System.Text.RegularExpressions;
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
        RunInTheForegroundUntilAsync((sdn, _) =>
        {
            ExternalCommand.Run("kill", "-TERM", sdn.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            return Task.CompletedTask;
        });

    [KvmFact]
    public Task Sdn_up_in_the_foreground_stops_as_on_sigterm_when_sdn_down_asks() =>
        RunInTheForegroundUntilAsync(async (_, log) =>
        {
            var (exit, output) = await SdnCli.InvokeAsync(new Uri(Regex.Match(log, @"controller: serving on (\S+),").Groups[1].Value), "down");
            Assert.True(exit == 0, output);
        });

    /// <summary>Runs `sdn up` in the foreground until the fabric is up, stops it with <paramref name="stop"/> (given the process and its output so far), and checks it exits 0 leaving nothing behind.</summary>
    private async Task RunInTheForegroundUntilAsync(Func<Process, string, Task> stop)
    {
        using var sdn = Process.Start(new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "sdn.dll"), "up", _file, "--listen", "127.0.0.1:0"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var output = new List<string>();
        try
        {
            while (sdn.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60)).GetAwaiter().GetResult() is { } line)
            {
                output.Add(line);
                if (line.Contains("press Ctrl-C", StringComparison.Ordinal))
                {
                    break;
                }
            }

            var log = string.Join('\n', output);
            Assert.True(output.Count > 0 && output[^1].Contains("press Ctrl-C", StringComparison.Ordinal), sdn.HasExited ? log + sdn.StandardError.ReadToEnd() : log);
            Assert.Contains("every node programmed", log, StringComparison.Ordinal);
            Assert.Matches(@"
v1\s+t\.n\s+10\.7\.0\.11\s+02(:[0-9a-f]{2}){5}\s+e1\s+echo", log);
            Assert.Contains("3 received", ExternalCommand.Run("ip", "netns", "exec", "sdn-" + _host, "ping", "-c", "3", "-i", "0.2", "-W", "2", "10.7.0.11"), StringComparison.Ordinal);

            await stop(sdn, log);
            Assert.True(sdn.WaitForExit(TimeSpan.FromSeconds(30)), "sdn up did not stop");
            Assert.Equal(0, sdn.ExitCode);
            var rest = sdn.StandardOutput.ReadToEnd();
            Assert.EndsWith("sdn up: down", rest.Trim(), StringComparison.Ordinal);
            Assert.Contains("vm v2: ping: reply seq=1 ", log + rest, StringComparison.Ordinal);
            Assert.DoesNotContain("vm v1:", log + rest, StringComparison.Ordinal);
            Assert.DoesNotContain("sdn-" + _host, ExternalCommand.Run("ip", "netns", "list"), StringComparison.Ordinal);
        }
        finally
        {
            if (!sdn.HasExited)
            {
                sdn.Kill();
                sdn.WaitForExit();
            }
        }
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
