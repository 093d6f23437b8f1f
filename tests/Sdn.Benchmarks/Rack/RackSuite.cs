using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Sdn.Common.Interop;
using Sdn.Fabric.Edge.Tap;

namespace Sdn.Benchmarks.Rack;

/// <summary>
/// The fabric on the rack (rack/rack.sh): Rack/two-cores.yaml, with host h1 on edge e1 on hv1 and host h2 on edge e2
/// on hv2, each edge linked to core node c1 on core1 and c2 on core2, every node a process of its own in its machine's
/// namespace and every link MPLS-in-UDP over the veth underlay. Two figures:
/// <list type="bullet">
/// <item>iperf3 TCP from h1 to h2 against the same between two fresh namespaces joined by one veth pair, the two taken
/// turn about (after one unrecorded second of each), three runs of 3 s each (one of 1 s with --quick); the ratio of
/// the medians.</item>
/// <item>the loss window of a cut cable: a UDP stream of 10,000 datagrams a second from h1 to h2, the cable of the core
/// machine that carries it cut at the switch (rack.sh cut), the datagrams lost times 0.1 ms; the cable mended and the
/// fabric settled before the next cut. Five cuts (two with --quick); median and extremes.</item>
/// </list>
/// The rack is torn down at the end, when a measurement fails, and on SIGINT or SIGTERM.
/// </summary>
internal sealed class RackSuite : IBenchmarkSuite
{
    private const string Client = "h1";
    private const string Server = "h2";
    private const string ServerIp = "10.40.0.12"; // h2's, in two-cores.yaml
    private static readonly string[] CoreMachines = ["core1", "core2"];
    private static readonly TimeSpan StreamInterval = TimeSpan.FromMilliseconds(0.1);

    public string Name => "rack";

    public string Description => "iperf3 across the rack's veth underlay vs a plain veth pair (goal >= 0.5); loss window of a cut core cable (goal < 50 ms)";

    public IReadOnlyList<KeyValuePair<string, double>> Run(BenchmarkOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        RequireIperf3();
        Testing.Rack? rack = null;
        VethPair? veth = null;
        var gate = new Lock();
        var tornDown = false;

        // Once, by whichever comes first; the other waits for it: the process ends as soon as both have returned.
        void TearDown()
        {
            lock (gate)
            {
                if (tornDown)
                {
                    return;
                }

                tornDown = true;
                // An iperf3 of a measurement that was cut short outlives the namespace it runs in.
                string[] hosts = rack is null ? [] : [rack.HostPrefix + Client, rack.HostPrefix + Server];
                string[] pair = veth is null ? [] : [veth.Client.Name, veth.Server.Name];
                foreach (var space in hosts.Concat(pair))
                {
                    StopProcessesIn(space);
                }

                veth?.Dispose();
                rack?.Dispose();
            }
        }

        // The rack's node processes run detached, so a benchmark stopped half way would leave them running.
        using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, _ => TearDown());
        using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => TearDown());
        try
        {
            Console.Error.WriteLine("rack: bringing the rack up with tests/Sdn.Benchmarks/Rack/two-cores.yaml");
            rack = Testing.Rack.Up(RepositoryRoot.Combine("tests", "Sdn.Benchmarks", "Rack", "two-cores.yaml"));
            UntilReachable(rack);
            UntilSettled(rack, "the fabric after `rack.sh up`");
            veth = new VethPair($"b{Guid.NewGuid().ToString("N")[..3]}-");
            return Measure(rack, veth, options);
        }
        finally
        {
            TearDown();
        }
    }

    private static List<KeyValuePair<string, double>> Measure(Testing.Rack rack, VethPair veth, BenchmarkOptions options)
    {
        var (rackGbps, vethGbps) = IperfMedians(rack, veth, rounds: options.Quick ? 1 : 3, seconds: options.Quick ? 1 : 3);
        var cuts = new List<StreamCount>();
        for (var cut = 1; cut <= (options.Quick ? 2 : 5); cut++)
        {
            cuts.Add(MeasureCut(rack, cut));
        }

        var losses = cuts.Select(c => c.LossMilliseconds).Order().ToList();
        return
        [
            new("rack_iperf_gbps", rackGbps),
            new("rack_veth_iperf_gbps", vethGbps),
            new("rack_iperf_ratio", rackGbps / vethGbps),
            new("rack_failover_loss_ms", Median(losses)),
            new("rack_failover_loss_ms_min", losses[0]),
            new("rack_failover_loss_ms_max", losses[^1]),
            new("rack_failover_longest_gap_ms", Median([.. cuts.Select(c => c.LongestGapMilliseconds)])),
        ];
    }

    /// <summary>One iperf3 stream h1 to h2 across the rack, then one across the veth pair, per round; the median of each.</summary>
    private static (double Rack, double Veth) IperfMedians(Testing.Rack rack, VethPair veth, int rounds, int seconds)
    {
        var client = NetworkNamespace.Open(rack.HostPrefix + Client);
        var server = NetworkNamespace.Open(rack.HostPrefix + Server);
        // Unrecorded: the nodes' data paths compile their TCP super-frame code on first use.
        Iperf3.Gbps(server, ServerIp, client, 1);
        Iperf3.Gbps(veth.Server, VethPair.ServerIp, veth.Client, 1);
        var rackGbps = new List<double>();
        var vethGbps = new List<double>();
        for (var round = 1; round <= rounds; round++)
        {
            rackGbps.Add(Iperf3.Gbps(server, ServerIp, client, seconds));
            vethGbps.Add(Iperf3.Gbps(veth.Server, VethPair.ServerIp, veth.Client, seconds));
            Console.Error.WriteLine(FormattableString.Invariant($"rack: iperf3 round {round}: rack {rackGbps[^1]:F2} Gbit/s, veth {vethGbps[^1]:F2} Gbit/s"));
        }

        return (Median(rackGbps), Median(vethGbps));
    }

    /// <summary>
    /// Starts the stream, cuts the cable of the core machine that carries it, counts what the stream lost over 1.5 s
    /// after the cut, mends the cable and waits until the fabric has settled again.
    /// </summary>
    private static StreamCount MeasureCut(Testing.Rack rack, int cut)
    {
        StreamCount count;
        string machine;
        using (var stream = SequencedUdpStream.Start(rack.HostPrefix + Client, rack.HostPrefix + Server, ServerIp, StreamInterval))
        {
            Thread.Sleep(300);
            machine = Carrier(rack);
            rack.Run("cut", machine);
            try
            {
                Thread.Sleep(1500);
                count = stream.Stop(drain: TimeSpan.FromMilliseconds(200));
            }
            finally
            {
                rack.Run("mend", machine);
            }
        }

        Console.Error.WriteLine(FormattableString.Invariant(
            $"rack: cut {cut}, {machine}: lost {count.Lost} of {count.Sent} datagrams, {count.LossMilliseconds:F1} ms; longest gap {count.LongestGapMilliseconds:F1} ms from {count.LongestGapAtMs:F0} ms"));
        UntilSettled(rack, $"the fabric after {machine}'s cable was mended");
        return count;
    }

    /// <summary>The core machine whose cable received the most packets over 300 ms: the one the stream crosses.</summary>
    private static string Carrier(Testing.Rack rack)
    {
        var before = CoreMachines.Select(m => ReceivedPackets(rack, m)).ToArray();
        Thread.Sleep(300);
        var received = CoreMachines.Select((m, i) => ReceivedPackets(rack, m) - before[i]).ToArray();
        return CoreMachines[Array.IndexOf(received, received.Max())];
    }

    private static long ReceivedPackets(Testing.Rack rack, string machine) =>
        long.Parse(rack.Exec(machine, "cat", "/sys/class/net/uplink/statistics/rx_packets"), CultureInfo.InvariantCulture);

    /// <summary>Waits until h2 answers a ping from h1, which needs both edges programmed and a core between them.</summary>
    private static void UntilReachable(Testing.Rack rack)
    {
        var client = NetworkNamespace.Open(rack.HostPrefix + Client);
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                // The edges make the hosts' namespaces once the controller has programmed them: until then, this fails.
                client.Run("ping", "-n", "-c", "1", "-W", "1", ServerIp);
                return;
            }
            catch (ExternalCommandException e)
            {
                if (deadline.Elapsed > TimeSpan.FromSeconds(60))
                {
                    throw new InvalidOperationException($"rack: {Client} does not reach {Server} 60 s after `rack.sh up`: {e.Message}", e);
                }

                Thread.Sleep(200);
            }
        }
    }

    /// <summary>
    /// Waits until `sdn status` shows every node connected and done applying, both hosts and all four links up, and
    /// says the same twice a second apart: after a mend the controller goes on pushing programs for a few seconds.
    /// </summary>
    private static void UntilSettled(Testing.Rack rack, string what)
    {
        var deadline = Stopwatch.StartNew();
        var previous = string.Empty;
        while (true)
        {
            var status = rack.Sdn("status");
            if (IsConverged(status) && status == previous)
            {
                return;
            }

            if (deadline.Elapsed > TimeSpan.FromSeconds(60))
            {
                throw new InvalidOperationException($"rack: {what} has not settled after 60 s; `sdn status` says:\n{status}");
            }

            previous = status;
            Thread.Sleep(1000);
        }
    }

    private static bool IsConverged(string status) =>
        status.Contains("hosts: 2 up; links: 4 up", StringComparison.Ordinal)
        && !status.Contains("applying", StringComparison.Ordinal)
        && !status.Contains("disconnected", StringComparison.Ordinal);

    /// <summary>Stops every process in network namespace <paramref name="space"/>, if there is such a namespace.</summary>
    private static void StopProcessesIn(string space)
    {
        if (!File.Exists(Path.Combine("/run/netns", space)))
        {
            return;
        }

        try
        {
            var pids = ExternalCommand.Run("ip", "netns", "pids", space).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            if (pids.Length > 0)
            {
                // SIGTERM, not SIGKILL: a daemonized iperf3 server removes its pid file on the way out.
                ExternalCommand.Run("kill", ["-TERM", .. pids]);
            }
        }
        catch (ExternalCommandException)
        {
            // The namespace or a process went away meanwhile.
        }
    }

    private static void RequireIperf3()
    {
        try
        {
            ExternalCommand.Run("iperf3", "--version");
        }
        catch (ExternalCommandException e)
        {
            throw new InvalidOperationException("rack: iperf3 is missing: install the Debian package iperf3 (apt-get install iperf3), or run ./test.sh, which does", e);
        }
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }
}
