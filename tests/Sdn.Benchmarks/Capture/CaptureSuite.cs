using Sdn.Benchmarks.Edge;
using Sdn.Common.Capture;
using Sdn.Common.Packets;

namespace Sdn.Benchmarks.Capture;

/// <summary>
/// What capture costs the edge datapath: forwarding with no capture, with a capture whose filter matches
/// nothing, and with a capture of every packet written to a pcapng file by a consumer thread. A capture is
/// what `sdn capture PORT` makes: one session on one port, here the vNIC every packet enters by. The three
/// alternate in short windows of one run, so they see the same load.
/// </summary>
internal sealed class CaptureSuite : IBenchmarkSuite
{
    private const int Flows = 4096;

    public string Name => "capture";

    public string Description => "edge forwarding with no capture, a non-matching BPF filter, and every packet to a pcapng file";

    public IReadOnlyList<KeyValuePair<string, double>> Run(BenchmarkOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var rounds = options.Quick ? 4 : 30;
        var window = TimeSpan.FromMilliseconds(50);
        var fixture = new EdgePipelineFixture(aclRules: 1000, forwardingEntries: 10_000, Flows);
        var vmTap = fixture.Switch.Datapath.CaptureTap(EdgePipelineFixture.VmPort)!;
        CapturePort[] ports = [new("e1/vm", "vNIC")];
        using var nothing = new CaptureSession(ports, new CaptureOptions(Filter: "tcp port 9"));
        using var everything = new CaptureSession(ports, new CaptureOptions(SnapLength: 128, RingBytes: 4 * 1024 * 1024));
        var path = Path.Combine(Path.GetTempPath(), $"sdn-capture-bench-{Environment.ProcessId}.pcapng");
        using var writer = new CaptureWriter(everything, path);
        var burst = new PacketBurst();
        var off = new Measurement();
        var noMatch = new Measurement();
        var all = new Measurement();

        Forward(fixture, burst, window);
        for (var round = 0; round < rounds; round++)
        {
            off.Keep(Forward(fixture, burst, window));

            vmTap.Attach(nothing, 0);
            noMatch.Keep(Forward(fixture, burst, window));
            vmTap.Detach(nothing);

            vmTap.Attach(everything, 0);
            all.Keep(Forward(fixture, burst, window));
            vmTap.Detach(everything);
        }

        writer.Finish();
        var fileBytes = new FileInfo(path).Length;
        File.Delete(path);
        var offered = (double)(everything.Captured + everything.Dropped);
        return
        [
            new("mpps_off", off.MedianMpps),
            new("mpps_nomatch", noMatch.MedianMpps),
            new("mpps_all", all.MedianMpps),
            new("nomatch_ratio", noMatch.MedianMpps / off.MedianMpps),
            new("all_ratio", all.MedianMpps / off.MedianMpps),
            new("all_written_fraction", offered == 0 ? 0 : everything.Captured / offered),
            new("all_file_mib", fileBytes / 1048576.0),
            new("nomatch_matched", nothing.Matched),
            new("off_allocated_bytes_per_packet", off.AllocatedBytesPerPacket),
        ];
    }

    private static Sample Forward(EdgePipelineFixture fixture, PacketBurst burst, TimeSpan window) =>
        Sample.Measure(window, next =>
        {
            next = fixture.Refill(burst, next);
            fixture.Switch.Datapath.Process(EdgePipelineFixture.VmPort, burst);
            return next;
        });

    /// <summary>The consumer: drains the session into a pcapng file on its own thread until finished.</summary>
    private sealed class CaptureWriter : IDisposable
    {
        private readonly CaptureSession _session;
        private readonly PcapngFileRing _files;
        private readonly Thread _thread;
        private volatile bool _finished;

        public CaptureWriter(CaptureSession session, string path)
        {
            _session = session;
            _files = new PcapngFileRing(path, session.Ports, session.Options.SnapLength);
            _thread = new Thread(Drain) { IsBackground = true, Name = "capture writer" };
            _thread.Start();
        }

        public void Finish()
        {
            if (!_finished)
            {
                _finished = true;
                _thread.Join();
                _files.Dispose();
            }
        }

        public void Dispose() => Finish();

        private void Drain()
        {
            var sink = new PcapngFileSink(_files);
            while (!_finished)
            {
                if (_session.Drain(ref sink) == 0)
                {
                    Thread.Sleep(1);
                }
            }

            _session.Drain(ref sink);
        }
    }
}
