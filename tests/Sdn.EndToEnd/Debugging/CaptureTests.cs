using System.Diagnostics;
using System.Text.RegularExpressions;
using Sdn.Common.Interop;
using Sdn.EndToEnd.Support;

namespace Sdn.EndToEnd.Debugging;

/// <summary>`sdn capture` on the ports of a running quickstart fabric while Linux ping crosses it from host h1 (e2) to red1 (e1).</summary>
[Collection(SharedQuickstart.Name)]
public sealed class CaptureTests(RunningQuickstart quickstart) : IDisposable
{
    private const string RepliesOnly = "icmp[icmptype] == icmp-echoreply";
    private readonly string _directory = Directory.CreateTempSubdirectory("sdn-capture-e2e-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [KvmFact]
    public async Task A_vnic_a_tap_the_uplinks_and_core_links_written_with_w_decode_in_tshark_and_a_second_capture_filters_as_tcpdump_would()
    {
        var fabric = await quickstart.FabricAsync();
        var everything = Path.Combine(_directory, "all.pcapng");
        var replies = Path.Combine(_directory, "replies.pcapng");
        using var stop = new CancellationTokenSource();
        var all = SdnCli.RunAsync(fabric.Address, stop.Token, "capture", "red1", "h1", "e1/e1--c1", "e1/e1--c2", "c1/e1--c1", "c2/e1--c2", "-w", everything);
        var filtered = SdnCli.RunAsync(fabric.Address, stop.Token, "capture", "red1", "h1", "-f", RepliesOnly, "-w", replies);
        await UntilBothCaptureAsync(everything, replies);

        await quickstart.PingFromHostAsync("10.1.0.11", count: 5);
        await Task.Delay(300);
        await stop.CancelAsync();
        var (allExit, _, allError) = await all;
        var (filteredExit, _, filteredError) = await filtered;

        Assert.True((allExit, filteredExit) == (0, 0), allError + filteredError);
        Assert.Matches(@"^\d+ packets captured, 0 dropped\n$", allError);
        Assert.Matches(@"^\d+ packets captured, 0 dropped\n$", filteredError);
        var packets = Tshark(everything, "frame.interface_name", "frame.interface_description", "frame.packet_flags_direction", "mpls.label", "ip.src", "ip.dst", "icmp.type", "icmp.seq");
        const string Request = "10.1.0.100\t10.1.0.11\t8\t5";
        Assert.Contains(packets, p => p.StartsWith("red1\tvNIC red1 (10.1.0.11, ", StringComparison.Ordinal) && p.Contains("on edge e1\t0x00000002\t\t" + Request, StringComparison.Ordinal));
        Assert.Contains(packets, p => p.StartsWith("h1\tTAP port h1 (10.1.0.100, ", StringComparison.Ordinal) && p.Contains("on edge e2\t0x00000001\t\t" + Request, StringComparison.Ordinal));
        var request = Regex.Escape(Request);
        Assert.Contains(packets, p => Regex.IsMatch(p, @"^e1/e1--c(\d)\tinterface e1--c\1 of node e1\t0x00000001\t\d+\t" + request + "$"));
        Assert.Contains(packets, p => Regex.IsMatch(p, @"^c(\d)/e1--c\1\tinterface e1--c\1 of node c\1\t0x00000002\t\d+\t" + request + "$"));
        Assert.All(packets.Where(p => !p.StartsWith('h') && !p.StartsWith('r')), p => Assert.Matches(@"\t0x0000000[12]\t\d+(,\d+)?\t10\.1\.0\.", p));

        // The same packets as tcpdump's own filter picks out of the unfiltered capture; seq 1 may predate either capture,
        // and two edges' threads may interleave differently in the two captures.
        var expected = TcpdumpLines(everything, RepliesOnly).Where(l => !l.Contains(", seq 1,", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
        var selected = TcpdumpLines(replies, "").Where(l => !l.Contains(", seq 1,", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(8, selected.Count);
        Assert.Equal(expected, selected);
        Assert.Contains(TcpdumpLines(everything, ""), l => l.Contains("ICMP echo request", StringComparison.Ordinal));
    }

    [KvmFact]
    public async Task Count_stops_after_n_packets_and_prints_tcpdump_lines()
    {
        var fabric = await quickstart.FabricAsync();
        using var traffic = new CancellationTokenSource();
        var pinging = PingUntilAsync(traffic.Token);

        var (exit, output, error) = await SdnCli.RunAsync(fabric.Address, "capture", "red1", "-c", "3", "--direction", "out", "-f", "icmp");
        await traffic.CancelAsync();
        await pinging;

        Assert.Equal(0, exit);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.All(lines, l => Assert.Matches(@"^\d\d:\d\d:\d\d\.\d{6} red1 Out IP 10\.1\.0\.100 > 10\.1\.0\.11: ICMP echo request, length 64$", l));
        Assert.Equal("3 packets captured, 0 dropped\n", error);
    }

    [KvmFact]
    public async Task Duration_ends_a_capture_whose_files_ring_within_their_size_bound()
    {
        var fabric = await quickstart.FabricAsync();
        var ring = Path.Combine(_directory, "ring.pcapng");
        var clock = Stopwatch.StartNew();
        var capture = SdnCli.RunAsync(fabric.Address, "capture", "red1", "h1", "-w", ring, "-C", "1", "-W", "2", "--duration", "8");
        await UntilBothCaptureAsync(Path.Combine(_directory, "ring.0.pcapng"));

        await quickstart.PingFromHostAsync("10.1.0.11", count: 500, interval: 0.005, payloadBytes: 1400);
        var (exit, _, error) = await capture.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.True(exit == 0, error);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(8), TimeSpan.FromSeconds(60));
        var captured = long.Parse(Regex.Match(error, @"^(\d+) packets captured, 0 dropped\n$").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(captured > 1_000, error);
        // More than 2 MB went by: the ring wrapped, and each file is a whole capture of its own within the bound.
        var files = Directory.GetFiles(_directory, "ring.*.pcapng").Order(StringComparer.Ordinal).ToList();
        Assert.Equal([Path.Combine(_directory, "ring.0.pcapng"), Path.Combine(_directory, "ring.1.pcapng")], files);
        Assert.All(files, f => Assert.InRange(new FileInfo(f).Length, 1, 1_000_000));
        Assert.True(files.Sum(f => Tshark(f, "frame.interface_name").Count) < captured, "the ring kept every packet, so it never wrapped");
    }

    [KvmFact]
    public async Task Pcapng_on_stdout_is_flushed_per_packet_so_tshark_reading_the_pipe_sees_the_first_one_at_once()
    {
        var fabric = await quickstart.FabricAsync();
        using var traffic = new CancellationTokenSource();
        var pinging = PingUntilAsync(traffic.Token);
        var sdn = Path.Combine(AppContext.BaseDirectory, "sdn.dll");

        using var pipeline = Process.Start(new ProcessStartInfo("bash", ["-c", $"dotnet {sdn} capture red1 -w - --controller {fabric.Address} | tshark -r - -c 1 -T fields -e frame.interface_name -e ip.src -e ip.dst"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var output = pipeline.StandardOutput.ReadToEndAsync();
        var exited = pipeline.WaitForExit(TimeSpan.FromSeconds(60));
        await traffic.CancelAsync();
        await pinging;
        if (!exited)
        {
            pipeline.Kill(entireProcessTree: true);
        }

        Assert.True(exited, "sdn capture -w - | tshark -r - -c 1 did not end");
        Assert.Matches(@"^red1\t10\.1\.0\.1(00|1)\t10\.1\.0\.1(1|00)\n$", await output);
    }

    /// <summary>Pings from h1 until both capture files hold a packet beyond their headers.</summary>
    private async Task UntilBothCaptureAsync(params string[] files)
    {
        var headers = files.Select(f => SpinWait.SpinUntil(() => File.Exists(f) && new FileInfo(f).Length > 0, TimeSpan.FromSeconds(30)) ? new FileInfo(f).Length : 0).ToList();
        for (var attempt = 0; attempt < 30 && files.Select((f, i) => new FileInfo(f).Length > headers[i]).Any(grew => !grew); attempt++)
        {
            await quickstart.PingFromHostAsync("10.1.0.11", count: 1);
        }
    }

    private async Task PingUntilAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            await quickstart.PingFromHostAsync("10.1.0.11", count: 2);
        }
    }

    private static List<string> Tshark(string file, params string[] fields) =>
        [.. ExternalCommand.Run("tshark", ["-r", file, "-d", "mpls.label==16-1048575,pwethnocw", "-T", "fields", .. fields.SelectMany(f => new[] { "-e", f })])
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)];

    /// <summary>tcpdump's own lines for the file, without timestamps, selected by <paramref name="filter"/>.</summary>
    private static List<string> TcpdumpLines(string file, string filter) =>
        [.. ExternalCommand.Run("tcpdump", ["-nn", "-t", "-r", file, .. filter.Length == 0 ? Array.Empty<string>() : [filter]])
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)];
}
