using System.Globalization;
using Sdn.Contracts;
using Sdn.Common.Interop;
using Sdn.EndToEnd.Support;
using Sdn.Fabric.Controller.Topology;

namespace Sdn.EndToEnd.Debugging;

/// <summary>`sdn capture` of a TAP port whose namespace sends TCP with segmentation offload: its 64 KiB super-frames, whole.</summary>
public sealed class SuperFrameCaptureTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("sdn-capture-super-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task A_tap_ports_tcp_super_frames_reach_the_pcapng_file_whole()
    {
        await using var fabric = await TopologyRun.StartAsync(TwoHostsAcrossTheCore.Create(LinkKind.Memory));
        var server = fabric.Hosts[TwoHostsAcrossTheCore.Server].Namespace;
        var client = fabric.Hosts[TwoHostsAcrossTheCore.Client].Namespace;
        var file = Path.Combine(_directory, "client.pcapng");
        using var stop = new CancellationTokenSource();
        var capture = SdnCli.RunAsync(fabric.Address, stop.Token, "capture", TwoHostsAcrossTheCore.Client, "--direction", "in", "-w", file);
        UntilCapturing(file, () => client.Run("ping", "-c", "1", "-W", "1", TwoHostsAcrossTheCore.ServerIp));

        var (sent, received) = await TcpTransfer.RunAsync(server, TwoHostsAcrossTheCore.ServerIp, client, 8 << 20);
        await Task.Delay(300);
        await stop.CancelAsync();
        var (exit, _, error) = await capture.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(sent, received);
        Assert.True(exit == 0, error);
        Assert.Matches(@"^\d+ packets captured, \d+ dropped\n$", error);
        var frames = ExternalCommand.Run("tshark", "-r", file, "-Y", "tcp", "-T", "fields", "-e", "frame.len", "-e", "frame.cap_len")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split('\t').Select(n => int.Parse(n, CultureInfo.InvariantCulture)).ToArray())
            .ToList();
        Assert.Contains(frames, f => f[0] > 20_000);
        Assert.All(frames, f => Assert.Equal(f[0], f[1]));
    }

    /// <summary>Makes traffic until the capture file holds a packet beyond its header: the agent's capture is attached.</summary>
    private static void UntilCapturing(string file, Action traffic)
    {
        Assert.True(SpinWait.SpinUntil(() => File.Exists(file) && new FileInfo(file).Length > 0, TimeSpan.FromSeconds(30)), "sdn capture wrote no file");
        var header = new FileInfo(file).Length;
        for (var attempt = 0; attempt < 30 && new FileInfo(file).Length == header; attempt++)
        {
            try
            {
                traffic();
            }
            catch (ExternalCommandException)
            {
                // No answer yet (ARP on the way): the next attempt counts.
            }
        }
    }
}
