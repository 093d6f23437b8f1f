using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Sdn.Common.Interop;
using Sdn.EndToEnd.Support;

namespace Sdn.EndToEnd.Topologies;

/// <summary>`sdn down` against the real `sdn up -d` of topologies/quickstart.yaml: nothing is left, and the controller's port is free at once.</summary>
public sealed class SdnDownTests : IDisposable
{
    // Quickstart with its host renamed, so that parallel runs never share a namespace or a TAP device.
    private readonly string _host = $"dn{Guid.NewGuid().ToString("N")[..6]}";
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"sdn-down-{Guid.NewGuid():N}.yaml");

    public SdnDownTests() =>
        File.WriteAllText(_file, File.ReadAllText(TopologyRun.PathOf("quickstart.yaml")).Replace("name: h1,", $"name: {_host},", StringComparison.Ordinal));

    public void Dispose() => File.Delete(_file);

    [KvmFact]
    public async Task Sdn_down_tears_down_a_detached_sdn_up_and_returns_once_it_is_gone()
    {
        var up = DetachedSdnUp.Start(_file);
        var pid = up.Pid.ToString(CultureInfo.InvariantCulture);
        try
        {
            Assert.Contains("sdn-" + _host, ExternalCommand.Run("ip", "netns", "list"), StringComparison.Ordinal);

            var (exit, output) = await SdnCli.InvokeAsync(up.Controller, "down");

            Assert.Equal(0, exit);
            Assert.Matches($@"^sdn down: pid {pid} is tearing down the fabric at {up.Controller}\nsdn down: down in \d+ ms\n$", output);
            Assert.EndsWith("sdn up: tearing down\nsdn up: down\n", File.ReadAllText(up.Log), StringComparison.Ordinal);
            Assert.DoesNotContain("sdn-" + _host, ExternalCommand.Run("ip", "netns", "list"), StringComparison.Ordinal);
            Assert.DoesNotContain("sdn-" + _host, ExternalCommand.Run("ip", "link", "show"), StringComparison.Ordinal);
            Assert.False(IsAlive(pid), $"pid {pid} is still running");
            using var next = new TcpListener(IPAddress.Loopback, up.Controller.Port);
            next.Start();
        }
        finally
        {
            if (IsAlive(pid))
            {
                ExternalCommand.Run("kill", "-TERM", pid);
            }

            File.Delete(up.Log);
        }
    }

    /// <summary>Running, and not a zombie waiting for a reaper (a detached process belongs to init, which may never reap it).</summary>
    private static bool IsAlive(string pid)
    {
        try
        {
            return !ExternalCommand.Run("ps", "-o", "stat=", "-p", pid).TrimStart().StartsWith('Z');
        }
        catch (ExternalCommandException)
        {
            return false;
        }
    }
}
