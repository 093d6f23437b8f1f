using Sdn.EndToEnd.Support;

namespace Sdn.EndToEnd.Debugging;

/// <summary>
/// The real `sdn up` on a host without libpcap: the process runs in a mount namespace of its own where /dev/null is
/// bound over the library file, so the loader fails exactly as it does where libpcap0.8 is not installed. A ping (whose
/// agent compiles a filter for the replies) and a filtered capture (which the controller checks first) answer
/// FAILED_PRECONDITION naming the package, and the agents stay up.
/// </summary>
public sealed class MissingLibPcapTests : IDisposable
{
    private const string Install = "libpcap is not installed; install it with `apt-get install libpcap0.8`";

    private readonly string _file = Path.Combine(Path.GetTempPath(), $"sdn-nopcap-{Guid.NewGuid():N}.yaml");

    public MissingLibPcapTests() => File.WriteAllText(_file, """
        name: nopcap
        core: [ { name: c1 } ]
        edges: [ { name: e1 }, { name: e2 } ]
        links: [ { endpoints: [e1, c1] }, { endpoints: [c1, e2] } ]
        tenants: [ { name: t, networks: [ { name: n, subnet: 10.8.0.0/24 } ] } ]
        vms:
          - { name: v1, edge: e1, network: t/n, ip: 10.8.0.11 }
          - { name: v2, edge: e2, network: t/n, ip: 10.8.0.12 }
        """);

    public void Dispose() => File.Delete(_file);

    [KvmFact]
    public async Task Ping_and_filtered_capture_answer_failed_precondition_naming_the_package_and_the_fabric_stays_up()
    {
        // /dev/null covers the library's real file (the loader opens it through its links), in this namespace only.
        const string WithoutLibPcap = """mount --bind /dev/null "$(readlink -f "$(ldconfig -p | awk '/libpcap\.so\.0\.8 /{ print $NF; exit }')")" && exec "$@" """;
        using var sdn = await ForegroundSdnUp.StartAsync(_file, "unshare", "--mount", "sh", "-c", WithoutLibPcap, "sh");

        var ping = await SdnCli.RunAsync(sdn.Controller, "ping", "v1", "v2", "-c", "1");
        var capture = await SdnCli.RunAsync(sdn.Controller, "capture", "v1", "-f", "icmp", "-c", "1");
        var flows = await SdnCli.RunAsync(sdn.Controller, "flows", "e1");
        var status = await SdnCli.RunAsync(sdn.Controller, "status");
        var down = await SdnCli.RunAsync(sdn.Controller, "down");

        Assert.Equal((1, $"sdn: FailedPrecondition: edge e1 cannot ping: {Install}\n"), (ping.Exit, ping.Error));
        Assert.Equal((1, $"sdn: FailedPrecondition: the controller cannot check capture filters: {Install}\n"), (capture.Exit, capture.Error));
        Assert.True(flows.Exit == 0 && flows.Output.Contains("in_port=v1", StringComparison.Ordinal), flows.Output + flows.Error);
        Assert.Matches(@"\ne1\s+edge\s+connected\s", status.Output);
        Assert.True(down.Exit == 0, down.Output + down.Error);
        Assert.Equal(0, sdn.WaitForExit().Exit);
        Assert.Contains($"agent e1: request 1: edge e1 cannot ping: {Install}", await sdn.Errors, StringComparison.Ordinal);
    }
}
