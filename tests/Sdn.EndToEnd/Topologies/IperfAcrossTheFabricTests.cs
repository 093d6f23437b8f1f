using System.Net;
using System.Text.RegularExpressions;
using Sdn.EndToEnd.Support;
using Sdn.Fabric.Controller.Topology;
using Sdn.Vmm.Tests;

namespace Sdn.EndToEnd.Topologies;

/// <summary>TCP between two Linux namespaces of quickstart, h1 on e2 and a second host on e1: edge, core, edge.</summary>
public sealed class IperfAcrossTheFabricTests
{
    [KvmFact]
    public async Task Iperf3_runs_between_namespaces_across_edge_core_and_edge()
    {
        var topology = TopologyRun.Load("quickstart.yaml");
        await using var fabric = await TopologyRun.StartAsync(topology with
        {
            Hosts = [.. topology.Hosts, new HostDefinition("h2", "e1", "red/web", IPAddress.Parse("10.1.0.101"), null, [])],
        });
        var server = fabric.Hosts["h2"].Namespace;
        var client = fabric.Hosts["h1"].Namespace;

        var pidFile = Path.Combine(Path.GetTempPath(), $"sdn-iperf-{Guid.NewGuid():N}.pid");
        server.Run("iperf3", "--server", "--one-off", "--daemon", "--bind", "10.1.0.101", "--pidfile", pidFile);
        string report;
        try
        {
            report = client.Run("iperf3", "--client", "10.1.0.101", "--time", "1", "--connect-timeout", "3000");
        }
        finally
        {
            StopServer(pidFile);
        }

        var receiver = Regex.Match(report, @"([\d.]+) ([KMG])bits/sec\s+receiver");
        Assert.True(receiver.Success, report);
        Assert.True(Bits(receiver) > 1e6, report);
    }

    /// <summary>A one-off server exits after its test; this one is killed in case the test never came.</summary>
    private static void StopServer(string pidFile)
    {
        if (File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile).Trim('\0', ' ', '\n'), out var pid))
        {
            try
            {
                using var process = System.Diagnostics.Process.GetProcessById(pid);
                process.Kill();
            }
            catch (ArgumentException)
            {
                // It has exited already.
            }
        }

        File.Delete(pidFile);
    }

    private static double Bits(Match rate) =>
        double.Parse(rate.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) * rate.Groups[2].Value switch { "K" => 1e3, "M" => 1e6, _ => 1e9 };
}
