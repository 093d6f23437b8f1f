using Sdn.EndToEnd.Support;

namespace Sdn.EndToEnd.Debugging;

/// <summary>`sdn ping A B` on a running quickstart fabric: requests injected at A's edge, replies timed there.</summary>
[Collection(SharedQuickstart.Name)]
public sealed class PingTests(RunningQuickstart quickstart)
{
    [KvmFact]
    public async Task A_vm_pings_a_vm_of_its_network_on_another_edge_and_every_request_is_answered()
    {
        var (exit, output) = await PingAsync("red1", "red2", "-c", "3", "-i", "0.05");

        Assert.True(exit == 0, output);
        Assert.StartsWith("PING red2 (10.1.0.12) from red1: 56 data bytes\n", output, StringComparison.Ordinal);
        for (var sequence = 1; sequence <= 3; sequence++)
        {
            Assert.Matches($@"\n64 bytes from 10\.1\.0\.12: icmp_seq={sequence} ttl=64 time=\d+(\.\d+)? ms\n", output);
        }

        Assert.Contains("\n--- red2 ping statistics ---\n3 packets transmitted, 3 received, 0% packet loss\nrtt min/avg/max = ", output, StringComparison.Ordinal);
    }

    [KvmFact]
    public async Task A_linux_host_pings_a_vm_and_every_request_is_answered()
    {
        var (exit, output) = await PingAsync("h1", "red1", "-c", "3", "-i", "0.05");

        Assert.True(exit == 0, output);
        Assert.Contains("3 packets transmitted, 3 received, 0% packet loss", output, StringComparison.Ordinal);
    }

    [KvmFact]
    public async Task A_ping_across_tenants_times_out_with_every_request_lost_and_exit_1()
    {
        var (exit, output) = await PingAsync("red1", "blue2", "-c", "2", "-i", "0.05", "-W", "0.5");

        Assert.Equal(1, exit);
        Assert.Equal("PING blue2 (10.2.0.12) from red1: 56 data bytes\n\n--- blue2 ping statistics ---\n2 packets transmitted, 0 received, 100% packet loss\n", output);
    }

    private async Task<(int Exit, string Output)> PingAsync(params string[] args)
    {
        var (exit, output, _) = await SdnCli.RunAsync((await quickstart.FabricAsync()).Address, ["ping", .. args]);
        return (exit, output);
    }
}
