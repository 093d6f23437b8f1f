using System.Diagnostics;
using Sdn.EndToEnd.Support;

namespace Sdn.EndToEnd.Debugging;

/// <summary>`sdn mirror PORT --to-tap NAME` on a running quickstart fabric, with tcpdump on the mirror device.</summary>
[Collection(SharedQuickstart.Name)]
public sealed class MirrorTests(RunningQuickstart quickstart)
{
    [KvmFact]
    public async Task Tcpdump_on_the_mirror_tap_sees_the_pings_crossing_the_port_and_the_tap_is_gone_after_ctrl_c()
    {
        var fabric = await quickstart.FabricAsync();
        var tap = $"m{Guid.NewGuid().ToString("N")[..8]}";
        var device = Path.Combine("/sys/class/net", tap);
        using var stop = new CancellationTokenSource();

        var mirror = SdnCli.RunAsync(fabric.Address, stop.Token, "mirror", "red1", "--to-tap", tap);
        Assert.True(SpinWait.SpinUntil(() => Directory.Exists(device) || mirror.IsCompleted, TimeSpan.FromSeconds(30)), $"no device {tap}");
        Assert.False(mirror.IsCompleted, mirror.IsCompleted ? (await mirror).Output + (await mirror).Error : "");
        string seen;
        using (var tcpdump = Process.Start(new ProcessStartInfo("tcpdump", ["-nn", "-l", "-i", tap, "-c", "4", "icmp"]) { RedirectStandardOutput = true, RedirectStandardError = true })!)
        {
            var output = tcpdump.StandardOutput.ReadToEndAsync();
            await UntilListeningAsync(tcpdump);
            await quickstart.PingFromHostAsync("10.1.0.11", count: 2);
            if (!tcpdump.WaitForExit(TimeSpan.FromSeconds(20)))
            {
                tcpdump.Kill();
            }

            seen = await output;
        }

        await stop.CancelAsync();
        var (exit, printed, error) = await mirror;

        Assert.Equal(0, exit);
        Assert.Matches($@"^mirroring red1 \(on e1\) to TAP device {tap}: ", printed);
        Assert.Matches(@"^\d+ frames mirrored, 0 dropped\n$", error);
        Assert.Matches(@"IP 10\.1\.0\.100 > 10\.1\.0\.11: ICMP echo request, id \d+, seq \d, length 64", seen);
        Assert.Matches(@"IP 10\.1\.0\.11 > 10\.1\.0\.100: ICMP echo reply, id \d+, seq \d, length 64", seen);
        Assert.True(SpinWait.SpinUntil(() => !Directory.Exists(device), TimeSpan.FromSeconds(10)), $"{tap} is still there");
    }

    /// <summary>Waits for tcpdump to say it is capturing (it says so on stderr).</summary>
    private static async Task UntilListeningAsync(Process tcpdump)
    {
        while (await tcpdump.StandardError.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30)) is { } line)
        {
            if (line.StartsWith("listening on", StringComparison.Ordinal))
            {
                return;
            }
        }
    }
}
