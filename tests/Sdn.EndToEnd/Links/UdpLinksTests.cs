using System.Diagnostics;
using Sdn.Contracts;
using Sdn.Contracts.Rpc;
using Sdn.EndToEnd.Support;
using Sdn.Fabric.Core.Links;

namespace Sdn.EndToEnd.Links;

/// <summary>
/// Links of `kind: udp` in the embedded fabric: real MPLS-in-UDP sockets on UDP port 6635, each link end on a loopback
/// address of 127.66.0.0/16 of its own, which no other fabric takes, in this process or another.
/// </summary>
public sealed class UdpLinksTests
{
    [Fact]
    public async Task A_fabric_whose_links_are_all_udp_carries_iperf3_over_sockets_on_port_6635_whose_counters_move()
    {
        await using var fabric = await TopologyRun.StartAsync(TwoHostsAcrossTheCore.Create(LinkKind.Udp));
        var ends = fabric.LinkEnds();
        var sockets = ends.Select(end => Assert.IsType<MplsInUdpLink>(end).LocalEndPoint).ToHashSet();

        Assert.Equal(4, sockets.Count);
        Assert.All(sockets, socket => Assert.Equal([127, 66], socket.Address.GetAddressBytes()[..2]));
        Assert.Subset(UdpSockets.BoundTo(MplsInUdpLink.UdpPort, Environment.ProcessId), sockets);

        using var channel = RpcChannels.ForAddress(fabric.Address);
        var api = new Controller.ControllerClient(channel);
        var before = await LinkCountersAsync(api, "c1");
        var gbps = Iperf3.Gbps(fabric.Hosts[TwoHostsAcrossTheCore.Server].Namespace, TwoHostsAcrossTheCore.ServerIp, fabric.Hosts[TwoHostsAcrossTheCore.Client].Namespace, seconds: 1);

        // The core node's agent reports its link ends' counters every second: data one way, acks the other, on both links.
        var deadline = Stopwatch.GetTimestamp() + (5 * Stopwatch.Frequency);
        var moved = await LinkCountersAsync(api, "c1");
        while (!BothWays(before, moved) && Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(100);
            moved = await LinkCountersAsync(api, "c1");
        }

        Assert.True(BothWays(before, moved), $"{gbps:F2} Gbit/s; counters of c1 before: {string.Join(", ", before.Values)}; after: {string.Join(", ", moved.Values)}");
    }

    [KvmFact]
    public async Task Two_sdn_up_of_one_topology_with_udp_links_run_side_by_side_each_on_addresses_of_its_own()
    {
        var file = Path.Combine(Path.GetTempPath(), $"sdn-udp-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(file, TwoVmsAcrossTheCore.Yaml(nearLink: "kind: udp", farLink: "kind: udp"));
        try
        {
            // Each process starts at its own place of the range, and skips an address another process holds.
            using var first = await ForegroundSdnUp.StartAsync(file);
            using var second = await ForegroundSdnUp.StartAsync(file);
            var firstSockets = UdpSockets.BoundTo(MplsInUdpLink.UdpPort, first.Process.Id);
            var secondSockets = UdpSockets.BoundTo(MplsInUdpLink.UdpPort, second.Process.Id);

            Assert.Equal(4, firstSockets.Count);
            Assert.Equal(4, secondSockets.Count);
            Assert.Empty(firstSockets.Intersect(secondSockets));
            foreach (var sdn in new[] { first, second })
            {
                var (exit, output) = await SdnCli.InvokeAsync(sdn.Controller, "ping", TwoVmsAcrossTheCore.Near, TwoVmsAcrossTheCore.Far, "-c", "3", "-i", "0.05");
                Assert.True(exit == 0, output);
            }

            foreach (var sdn in new[] { first, second })
            {
                var (exit, output) = await SdnCli.InvokeAsync(sdn.Controller, "down");
                Assert.True(exit == 0, output);
                Assert.Equal(0, sdn.WaitForExit().Exit);
            }
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>The counters of each link end of <paramref name="node"/>, by link, as the controller last heard them.</summary>
    private static async Task<Dictionary<string, PortCounters>> LinkCountersAsync(Controller.ControllerClient api, string node)
    {
        var stats = await api.GetStatsAsync(new StatsRequest { Node = node });
        return stats.Nodes.Single().Counters?.Ports.ToDictionary(p => p.Port, StringComparer.Ordinal) ?? [];
    }

    /// <summary>
    /// Whether each of c1's two link ends sent and received at least 100 frames more in <paramref name="after"/>: a second
    /// of iperf3 is a few thousand super-frames one way and the acks of them the other.
    /// </summary>
    private static bool BothWays(Dictionary<string, PortCounters> before, Dictionary<string, PortCounters> after) =>
        after.Count == 2 && after.All(end =>
        {
            var start = before.GetValueOrDefault(end.Key) ?? new PortCounters();
            return end.Value.TxPackets >= start.TxPackets + 100 && end.Value.RxPackets >= start.RxPackets + 100;
        });
}
