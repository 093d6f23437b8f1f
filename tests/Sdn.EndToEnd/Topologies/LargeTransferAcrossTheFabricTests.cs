using Sdn.Contracts;
using Sdn.EndToEnd.Support;
using Sdn.Fabric.Core.Links;

namespace Sdn.EndToEnd.Topologies;

/// <summary>
/// 64 MiB over one TCP connection between two namespaces on TAPs with offloads, across edge, core and edge: the
/// kernel hands the edge 64 KiB super-frames, and they stay whole to the far TAP: in the rings of in-memory links, or
/// as one datagram each over MPLS-in-UDP links. Either way every byte must arrive as sent, having crossed link ends of
/// the kind asked for.
/// </summary>
public sealed class LargeTransferAcrossTheFabricTests
{
    private const int Bytes = 64 << 20;

    [Theory]
    [InlineData(LinkKind.Memory)]
    [InlineData(LinkKind.Udp)]
    public async Task Every_byte_arrives_as_sent(LinkKind links)
    {
        await using var fabric = await TopologyRun.StartAsync(TwoHostsAcrossTheCore.Create(links));

        var (sent, received) = await TcpTransfer.RunAsync(
            fabric.Hosts[TwoHostsAcrossTheCore.Server].Namespace, TwoHostsAcrossTheCore.ServerIp, fabric.Hosts[TwoHostsAcrossTheCore.Client].Namespace, Bytes);

        Assert.StartsWith($"{Bytes} ", sent, StringComparison.Ordinal);
        Assert.Equal(sent, received);
        Assert.All(fabric.LinkEnds(), end =>
        {
            Assert.IsType(links == LinkKind.Udp ? typeof(MplsInUdpLink) : typeof(InMemoryLink), end);
            Assert.True(Math.Max(end.Statistics.TxBytes, end.Statistics.RxBytes) >= Bytes, $"{end.Name}: {end.Statistics}");
        });
    }
}
