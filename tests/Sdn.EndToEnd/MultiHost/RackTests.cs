using Sdn.EndToEnd.Support;

namespace Sdn.EndToEnd.MultiHost;

/// <summary>
/// Quickstart on the rack (rack/rack.sh): the controller, two hypervisors (e1 on hv1, e2 with host h1 on hv2) and two
/// core nodes (c1, c2), each a separate `sdn` process in a network namespace of its own, joined by veth cables to one
/// bridge. Underlay traffic crosses real kernel interfaces; then the rack's faults are played on it.
/// </summary>
[Collection(TimingSensitive.Name)]
public sealed class RackTests : IClassFixture<RackTests.QuickstartRack>
{
    private readonly Rack _rack;

    public RackTests(QuickstartRack fixture)
    {
        ArgumentNullException.ThrowIfNull(fixture);
        _rack = fixture.Rack;
    }

    private string H1 => _rack.HostPrefix + "h1";

    [KvmFact]
    public void Vms_and_a_host_on_two_hypervisors_reach_each_other_over_the_veth_underlay()
    {
        var before = UnderlayPackets("hv1");

        var ping = _rack.Sdn("ping", "red1", "red2", "-c", "3", "-i", "0.05");
        var fromHost = FabricChecks.PingFromNamespace(H1, "10.1.0.11");

        Assert.Contains("3 packets transmitted, 3 received, 0% packet loss", ping, StringComparison.Ordinal);
        Assert.Contains("3 packets transmitted, 3 received", fromHost, StringComparison.Ordinal);
        Assert.True(UnderlayPackets("hv1") >= before + 12, "hv1's cable did not carry the pings");
        Assert.Contains("ports: 5 up; vms: 4 up; hosts: 1 up; links: 4 up", _rack.Sdn("status"), StringComparison.Ordinal);
    }

    [KvmFact]
    public async Task A_controller_killed_leaves_forwarding_alone_and_its_restart_loses_no_ping()
    {
        // 30 s without a controller, then its restart, under 100 pings a second.
        var lost = await PingsLostToAsync(3300, async () =>
        {
            _rack.Run("kill", "controller");
            await Task.Delay(TimeSpan.FromSeconds(30));
            _rack.Run("start", "controller");
            await UntilConvergedAsync("the fabric after the controller's restart");
        });

        // Not one ping should be lost, and on a quiet machine none is. On a loaded two-core one a few are, when the
        // restarting controller's start-up holds both cores for longer than the nodes' hellos can wait; a controller
        // that reprograms the nodes differently loses hundreds.
        Assert.True(lost <= 30, $"{lost} of 3300 pings lost while the controller was killed and restarted\n{_rack.LogTails(40)}");
    }

    [KvmFact]
    public async Task A_cut_core_cable_or_a_killed_core_node_moves_traffic_to_the_other_core()
    {
        // Cut c1's cable, then kill c1: whichever core carried h1's pings, the edges' fast-failover groups keep them going.
        var lostToCut = await PingsLostToAsync(300, () => Task.FromResult(_rack.Run("cut", "core1")));
        _rack.Run("mend", "core1");
        await UntilConvergedAsync("core1's links after the cable was mended");
        var lostToKill = await PingsLostToAsync(300, () => Task.FromResult(_rack.Run("kill", "c1")));
        _rack.Run("start", "c1");

        Assert.True(lostToCut <= 30, $"{lostToCut} of 300 pings lost to the cut: fast failover did not move them");
        Assert.True(lostToKill <= 30, $"{lostToKill} of 300 pings lost to c1's death");
        await UntilConvergedAsync("c1's links after its restart");
    }

    [KvmFact]
    public async Task A_killed_edge_restarted_brings_its_host_and_vms_back()
    {
        _rack.Run("kill", "e2");
        _rack.Run("start", "e2");

        await UntilConvergedAsync("e2's host and VMs");
        Assert.Contains("3 packets transmitted, 3 received", FabricChecks.PingFromNamespace(H1, "10.1.0.11"), StringComparison.Ordinal);
        Assert.Contains("3 received, 0% packet loss", _rack.Sdn("ping", "red1", "red2", "-c", "3", "-i", "0.05"), StringComparison.Ordinal);
    }

    /// <summary>Sends <paramref name="count"/> pings from h1 to red1, 10 ms apart, with <paramref name="fault"/> played half a second in; returns how many were lost.</summary>
    private async Task<int> PingsLostToAsync(int count, Func<Task> fault)
    {
        using var ping = SteadyPing.Start(H1, "10.1.0.11", count);
        await Task.Delay(500);
        await fault();
        var (sent, received) = await ping.ResultAsync();
        Assert.Equal(count, sent);
        return sent - received;
    }

    /// <summary>Packets the machine's cable sent and received.</summary>
    private long UnderlayPackets(string machine)
    {
        var statistics = _rack.Exec(machine, "cat", "/sys/class/net/uplink/statistics/rx_packets", "/sys/class/net/uplink/statistics/tx_packets");
        return statistics.Split('\n', StringSplitOptions.RemoveEmptyEntries).Sum(long.Parse);
    }

    /// <summary>Waits until every node is connected and runs what the controller sent it last, and every object is up.</summary>
    private async Task UntilConvergedAsync(string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        string status;
        while (!IsConverged(status = _rack.Sdn("status")))
        {
            Assert.True(DateTime.UtcNow < deadline, $"{what}: not converged after 60 s:\n{status}\n{_rack.LogTails()}");
            await Task.Delay(200);
        }
    }

    private static bool IsConverged(string status) =>
        status.Contains("ports: 5 up; vms: 4 up; hosts: 1 up; links: 4 up", StringComparison.Ordinal)
        && !status.Contains("applying", StringComparison.Ordinal)
        && !status.Contains("disconnected", StringComparison.Ordinal);

    /// <summary>One rack for the class, with quickstart applied and h1 reaching red1 across it.</summary>
    public sealed class QuickstartRack : IDisposable
    {
        public QuickstartRack()
        {
            Rack = Rack.Up(RepositoryRoot.Combine("topologies", "quickstart.yaml"));
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            while (!FabricChecks.PingFromNamespace(Rack.HostPrefix + "h1", "10.1.0.11", count: 1).Contains(" 1 received", StringComparison.Ordinal))
            {
                if (DateTime.UtcNow > deadline)
                {
                    var logs = Rack.LogTails();
                    Rack.Dispose();
                    throw new InvalidOperationException($"h1 does not reach red1 on the rack after 60 s\n{logs}");
                }

                Thread.Sleep(200);
            }
        }

        public Rack Rack { get; }

        public void Dispose() => Rack.Dispose();
    }
}
