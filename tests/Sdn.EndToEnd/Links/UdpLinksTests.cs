using Sdn.EndToEnd.Support;
using Sdn.Fabric.Core.Links;

namespace Sdn.EndToEnd.Links;

/// <summary>
/// Links of `kind: udp` in the embedded fabric: real MPLS-in-UDP sockets on UDP port 6635, each link end on a loopback
/// address of 127.66.0.0/16 of its own, which no other fabric takes, in this process or another.
/// </summary>
public sealed class UdpLinksTests
{
    [KvmFact]
    public async Task Two_sdn_up_of_one_topology_with_udp_links_run_side_by_side_each_on_addresses_of_its_own()
    {
        var file = Path.Combine(Path.GetTempPath(), $"sdn-udp-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(file, TwoVmsAcrossTheCore.Yaml(nearLink: "kind: udp", farLink: "kind: udp"));
        try
        {
            // Each process starts looking at 127.66.0.1: the second finds the first's addresses taken and moves on.
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
}
