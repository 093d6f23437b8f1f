using System.Diagnostics;
using Sdn.Common.Capture;
using Sdn.Fabric.Edge.Pipeline;
using Sdn.Fabric.Edge.Tap;
using Sdn.Fabric.Edge.Tests.Support;

namespace Sdn.Fabric.Edge.Tests.Tap;

public class TapMirrorTests
{
    [Fact]
    public async Task Tcpdump_on_the_mirror_tap_sees_the_ports_traffic()
    {
        var rig = new SwitchRig().WithActions(PipelineAction.Output(2));
        var tapName = $"sdnm{Guid.NewGuid().ToString("N")[..6]}";
        using var mirror = TapMirror.Start(rig.Switch.Datapath.CaptureTap(1)!, "e1/p1", tapName);
        using var tcpdump = Process.Start(new ProcessStartInfo("tcpdump", ["-i", tapName, "-nn", "-l", "-c", "3", "udp"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        await WaitForListening(tcpdump);

        for (var i = 0; i < 3; i++)
        {
            rig.Send(1, Frames.Udp());
        }

        var output = tcpdump.StandardOutput.ReadToEndAsync();
        await tcpdump.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        var lines = (await output).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.All(lines, l => Assert.Contains(": UDP, length", l, StringComparison.Ordinal));
        Assert.True(SpinWait.SpinUntil(() => mirror.Mirrored == 3, TimeSpan.FromSeconds(5)), $"mirrored {mirror.Mirrored} frames");
        Assert.Equal(3, rig.Port(2).TakeTransmitted().Count);
    }

    [Fact]
    public async Task A_super_frame_reaches_the_mirror_whole()
    {
        var tap = new SwitchRig().Switch.Datapath.CaptureTap(1)!;
        var tapName = $"sdnm{Guid.NewGuid().ToString("N")[..6]}";
        using var mirror = TapMirror.Start(tap, "e1/p1", tapName);
        using var tcpdump = Process.Start(new ProcessStartInfo("tcpdump", ["-i", tapName, "-nn", "-e", "-l", "-c", "1", "-s", "0", "udp"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        await WaitForListening(tcpdump);

        // As a TAP port with TSO hands the switch: one frame of many MTUs.
        tap.Offer(Frames.Udp(payload: 20_000), CaptureDirection.Inbound);

        var output = tcpdump.StandardOutput.ReadToEndAsync();
        await tcpdump.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        // -e prints the frame's own length: Ethernet, IPv4 and UDP headers and the whole payload.
        Assert.Contains("ethertype IPv4 (0x0800), length 20042:", await output, StringComparison.Ordinal);
    }

    private static async Task WaitForListening(Process tcpdump)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            var line = await tcpdump.StandardError.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10));
            if (line is null || line.Contains("listening on", StringComparison.Ordinal))
            {
                return;
            }
        }
    }
}
