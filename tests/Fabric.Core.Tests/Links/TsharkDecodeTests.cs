using System.Diagnostics;
using Sdn.Fabric.Core.Links;
using Sdn.Fabric.Core.Links.Liveness;
using Sdn.Fabric.Core.Tests.Support;

namespace Sdn.Fabric.Core.Tests.Links;

/// <summary>
/// Frames captured off a real MPLS-in-UDP link on loopback decode in tshark, a decoder nobody here wrote,
/// as MPLS with the labels we sent, and hellos as BFD over the G-ACh.
/// </summary>
public class TsharkDecodeTests
{
    private const int CapturedPackets = 12;

    [Fact]
    public void Captured_frames_decode_as_mpls_with_the_right_labels_and_hellos_as_bfd()
    {
        var (a, b) = LinkPairs.CreateUdp();
        using (a)
        using (b)
        {
            var capture = Path.Combine(Path.GetTempPath(), $"sdn-core-{Guid.NewGuid():N}.pcapng");
            try
            {
                CaptureWhileSending(a, capture);
                var lines = Tshark($"-r {capture} -T fields -E separator=; -e udp.srcport -e udp.dstport -e mpls.label -e mpls.ttl -e pwach.channel_type -e bfd.sta -e bfd.my_discriminator")
                    .Split('\n', StringSplitOptions.RemoveEmptyEntries);

                Assert.True(lines.Length >= CapturedPackets, $"tshark decoded {lines.Length} packets");
                var data = lines.Where(l => l.Split(';')[2] == "100,5000").ToList();
                var hellos = lines.Where(l => l.Split(';')[2] == "13").ToList();
                Assert.Equal(lines.Length, data.Count + hellos.Count);
                Assert.NotEmpty(data);
                Assert.NotEmpty(hellos);
                Assert.All(lines, line =>
                {
                    var fields = line.Split(';');
                    Assert.InRange(int.Parse(fields[0], System.Globalization.CultureInfo.InvariantCulture), 49152, 65535);
                    Assert.Equal("6635", fields[1]);
                });
                Assert.All(data, line => Assert.Equal("64,63", line.Split(';')[3]));
                Assert.All(hellos, line => Assert.Equal(["0x0022", "0x01", "0x00001092"], line.Split(';')[4..7]));
            }
            finally
            {
                File.Delete(capture);
            }
        }
    }

    /// <summary>Starts tshark on lo, and once it captures, sends data and hellos until it has its packets.</summary>
    private static void CaptureWhileSending(MplsInUdpLink link, string file)
    {
        var filter = $"udp dst port 6635 and src host {link.LocalEndPoint.Address}";
        using var tshark = Start($"-i lo -f \"{filter}\" -c {CapturedPackets} -a duration:30 -w {file}");
        var capturing = new TaskCompletionSource();
        tshark.ErrorDataReceived += (_, e) =>
        {
            if (e.Data?.Contains("Capturing on", StringComparison.Ordinal) == true)
            {
                capturing.TrySetResult();
            }
        };
        tshark.BeginErrorReadLine();
        Assert.True(capturing.Task.Wait(TimeSpan.FromSeconds(30)), "tshark did not start capturing on lo");

        var hello = new byte[LivenessHello.Size];
        LivenessHello.Write(hello, new BfdControlPacket(LivenessState.Down, LivenessDiagnostic.None, 3, 4242, 0, 10_000, 10_000));
        var data = MplsFrames.Burst(MplsFrames.Build([100, 5000], MplsFrames.Payload(1, 0), ttl: 64));
        data.Frame(0)[7] = 63; // the service label's TTL, to tell the two entries apart in the decode
        while (!tshark.WaitForExit(50))
        {
            link.Send(data);
            link.SendHello(hello);
        }

        Assert.Equal(0, tshark.ExitCode);
    }

    private static string Tshark(string arguments)
    {
        using var process = Start(arguments);
        var output = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(30_000), "tshark did not finish decoding");
        return output;
    }

    private static Process Start(string arguments)
    {
        var start = new ProcessStartInfo("tshark", arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        try
        {
            return Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("tshark is not installed: run ./test.sh, which installs it, or apt-get install tshark", e);
        }
    }
}
