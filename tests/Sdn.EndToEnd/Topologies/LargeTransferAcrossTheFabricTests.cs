using System.Diagnostics;
using Sdn.EndToEnd.Support;
using Sdn.Fabric.Controller.Tests.Topology;
using Sdn.Fabric.Controller.Topology;

namespace Sdn.EndToEnd.Topologies;

/// <summary>
/// 64 MiB over one TCP connection between two namespaces on TAPs with offloads, across edge, core and edge: the
/// kernel hands the edge 64 KiB super-frames. Over in-memory links they stay whole to the far TAP; over
/// MPLS-in-UDP links they are cut into segments on the way out. Either way every byte must arrive as sent.
/// </summary>
public sealed class LargeTransferAcrossTheFabricTests
{
    private const int Bytes = 64 << 20;
    private static readonly string Script = RepositoryRoot.Combine("tests", "Sdn.EndToEnd", "Support", "tcp_transfer.py");

    [Theory]
    [InlineData(LinkKind.Memory)]
    [InlineData(LinkKind.Udp)]
    public async Task Every_byte_arrives_as_sent(LinkKind links)
    {
        await using var fabric = await TopologyRun.StartAsync(TwoHostsAcrossTheCore.Create(links));
        var server = fabric.Hosts[TwoHostsAcrossTheCore.Server].Namespace;
        var client = fabric.Hosts[TwoHostsAcrossTheCore.Client].Namespace;

        using var receiver = Process.Start(new ProcessStartInfo("ip", ["netns", "exec", server.Name, "python3", Script, "receive", TwoHostsAcrossTheCore.ServerIp, "5001"])
        {
            RedirectStandardOutput = true,
        })!;
        try
        {
            Assert.Equal("listening", await receiver.StandardOutput.ReadLineAsync());

            var sent = client.Run("python3", Script, "send", TwoHostsAcrossTheCore.ServerIp, "5001", Bytes.ToString(System.Globalization.CultureInfo.InvariantCulture)).Trim();

            var received = (await receiver.StandardOutput.ReadToEndAsync()).Trim();
            Assert.StartsWith($"{Bytes} ", sent, StringComparison.Ordinal);
            Assert.Equal(sent, received);
        }
        finally
        {
            if (!receiver.HasExited)
            {
                receiver.Kill();
            }
        }
    }
}
