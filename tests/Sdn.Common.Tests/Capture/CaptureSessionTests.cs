using System.Buffers.Binary;
using Sdn.Common.Capture;

namespace Sdn.Common.Tests.Capture;

public sealed class CaptureSessionTests : IDisposable
{
    private static readonly CapturePort[] TwoPorts = [new("e1/vm1", "vNIC of vm1"), new("e1/uplink0", "uplink of e1")];
    private readonly string _directory = Directory.CreateTempSubdirectory("sdn-capture-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void A_tap_with_no_capture_is_inactive_and_takes_nothing()
    {
        var tap = new CaptureTap();

        tap.Offer(SampleFrames.Mix()[0], CaptureDirection.Inbound);

        Assert.False(tap.IsActive);
    }

    [Fact]
    public void Frames_from_two_ports_reach_a_pcapng_file_with_their_port_and_direction()
    {
        using var session = new CaptureSession(TwoPorts, new CaptureOptions(Filter: "udp"));
        var vnic = new CaptureTap();
        var uplink = new CaptureTap();
        vnic.Attach(session, 0);
        uplink.Attach(session, 1);
        var frames = SampleFrames.Mix();

        foreach (var frame in frames)
        {
            vnic.Offer(frame, CaptureDirection.Inbound);
            uplink.Offer(frame, CaptureDirection.Outbound);
        }

        var path = Path.Combine(_directory, "both.pcapng");
        using (var files = new PcapngFileRing(path, session.Ports, session.Options.SnapLength))
        {
            var sink = new PcapngFileSink(files);
            session.Drain(ref sink);
        }

        var udpFrames = frames.Count(f => BpfMatches("udp", f));
        Assert.Equal(2 * frames.Count, session.Seen);
        Assert.Equal(2 * udpFrames, session.Captured);
        var lines = ExternalTool.Run("tshark", "tshark", "-r", path, "-T", "fields", "-e", "frame.interface_name", "-e", "frame.packet_flags_direction", "-e", "udp.srcport")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2 * udpFrames, lines.Length);
        Assert.Equal(udpFrames, lines.Count(l => l.StartsWith("e1/vm1\t0x00000001\t", StringComparison.Ordinal)));
        Assert.Equal(udpFrames, lines.Count(l => l.StartsWith("e1/uplink0\t0x00000002\t", StringComparison.Ordinal)));
    }

    [Fact]
    public void A_slow_consumer_costs_dropped_copies_not_a_blocked_datapath()
    {
        using var session = new CaptureSession(TwoPorts, new CaptureOptions(RingBytes: 1024));
        var tap = new CaptureTap();
        tap.Attach(session, 0);
        var frame = SampleFrames.Mix()[0];
        var fits = 1024 / CaptureRing.RecordLength(frame.Length);

        for (var i = 0; i < 1000; i++)
        {
            tap.Offer(frame, CaptureDirection.Inbound);
        }

        Assert.Equal(1000, session.Seen);
        Assert.Equal(fits, session.Captured);
        Assert.Equal(1000 - fits, session.Dropped);
        var collector = new FrameCollector([]);
        Assert.Equal(fits, session.Drain(ref collector));
        Assert.All(collector.Frames, f => Assert.Equal(frame, f));
    }

    [Fact]
    public void A_ring_holds_as_many_frames_as_its_bytes_fit_whole_and_takes_more_once_drained()
    {
        using var session = new CaptureSession(TwoPorts, new CaptureOptions(RingBytes: 64 * 1024));
        var tap = new CaptureTap();
        tap.Attach(session, 0);
        var (super, _) = SuperFrames.Tcp(ipv6: false, payloadLength: 24_000, segmentSize: 1448);
        var small = SampleFrames.Mix()[2];
        var collector = new FrameCollector([]);

        // Two super-frames fill most of the 64 KiB; a third has no room and is dropped whole, never cut; short frames
        // take the rest. Drained, the ring wraps and takes super-frames again.
        tap.Offer(super, CaptureDirection.Inbound);
        tap.Offer(super, CaptureDirection.Inbound);
        tap.Offer(super, CaptureDirection.Inbound);
        tap.Offer(small, CaptureDirection.Outbound);
        session.Drain(ref collector);
        tap.Offer(super, CaptureDirection.Inbound);
        tap.Offer(super, CaptureDirection.Inbound);
        session.Drain(ref collector);

        Assert.Equal((5, 1), (session.Captured, session.Dropped));
        Assert.Equal([super.Length, super.Length, small.Length, super.Length, super.Length], collector.Frames.Select(f => f.Length));
        Assert.All(collector.Frames.Where(f => f.Length == super.Length), f => Assert.Equal(super, f));
    }

    [Fact]
    public void A_frame_larger_than_the_ring_is_a_counted_drop()
    {
        using var session = new CaptureSession(TwoPorts, new CaptureOptions(RingBytes: 16 * 1024));
        var tap = new CaptureTap();
        tap.Attach(session, 0);
        var (super, _) = SuperFrames.Tcp(ipv6: false, payloadLength: 20_000, segmentSize: 1448);

        tap.Offer(super, CaptureDirection.Inbound);
        tap.Offer(SampleFrames.Mix()[0], CaptureDirection.Inbound);

        var collector = new FrameCollector([]);
        Assert.Equal(1, session.Drain(ref collector));
        Assert.Equal((1, 1), (session.Captured, session.Dropped));
    }

    [Fact]
    public void Whole_super_frames_are_kept_by_default()
    {
        using var session = new CaptureSession(TwoPorts, new CaptureOptions());
        var tap = new CaptureTap();
        tap.Attach(session, 1);
        var (super, _) = SuperFrames.Tcp(ipv6: true, payloadLength: 65_000, segmentSize: 1440);

        tap.Offer(super, CaptureDirection.Outbound);

        var collector = new FrameCollector([]);
        session.Drain(ref collector);
        Assert.Equal(super, collector.Frames.Single());
    }

    [Fact]
    public void A_packet_count_limit_completes_the_session()
    {
        using var session = new CaptureSession(TwoPorts, new CaptureOptions(MaxPackets: 3));
        var tap = new CaptureTap();
        tap.Attach(session, 0);

        foreach (var frame in SampleFrames.Mix())
        {
            tap.Offer(frame, CaptureDirection.Inbound);
        }

        Assert.Equal(3, session.Captured);
        Assert.True(session.IsComplete);
        Assert.Equal(0, session.Dropped);
    }

    [Fact]
    public void A_duration_limit_completes_the_session()
    {
        using var session = new CaptureSession(TwoPorts, new CaptureOptions(MaxDuration: TimeSpan.FromMilliseconds(20)));

        Assert.False(session.IsComplete);
        Thread.Sleep(50);
        Assert.True(session.IsComplete);
    }

    [Fact]
    public void Snap_length_cuts_the_copy_but_keeps_the_original_length()
    {
        using var session = new CaptureSession(TwoPorts, new CaptureOptions(SnapLength: 20));
        var tap = new CaptureTap();
        tap.Attach(session, 0);
        var frame = SampleFrames.Mix()[2];

        tap.Offer(frame, CaptureDirection.Inbound);

        var collector = new FrameCollector([]);
        session.Drain(ref collector);
        Assert.Equal(frame.AsSpan(0, 20).ToArray(), collector.Frames.Single());
    }

    [Fact]
    public void Concurrent_producers_and_a_draining_consumer_lose_or_tear_nothing()
    {
        const int PerProducer = 100_000;
        using var session = new CaptureSession(TwoPorts, new CaptureOptions(RingBytes: 128 * 1024));
        var taps = new[] { new CaptureTap(), new CaptureTap() };
        taps[0].Attach(session, 0);
        taps[1].Attach(session, 1);
        var producers = taps.Select((tap, port) => Task.Run(() =>
        {
            var buffer = new byte[1500];
            for (var i = 0; i < PerProducer; i++)
            {
                // Lengths from 64 to 1,500 bytes, so records wrap the ring at every offset.
                var frame = buffer.AsSpan(0, 64 + (i * 37 % 1437));
                BinaryPrimitives.WriteInt32LittleEndian(frame, i);
                BinaryPrimitives.WriteInt32LittleEndian(frame[^4..], i);
                frame[4] = (byte)port;
                tap.Offer(frame, CaptureDirection.Inbound);
            }
        })).ToArray();
        var collector = new FrameCollector([]);

        while (!Task.WhenAll(producers).IsCompleted)
        {
            session.Drain(ref collector);
        }

        session.Drain(ref collector);
        Assert.Equal(2 * PerProducer, session.Captured + session.Dropped);
        Assert.Equal(session.Captured, collector.Frames.Count);
        Assert.NotEmpty(collector.Frames);
        Assert.All(collector.Frames, f => Assert.Equal(BinaryPrimitives.ReadInt32LittleEndian(f), BinaryPrimitives.ReadInt32LittleEndian(f.AsSpan(f.Length - 4))));
        Assert.All(collector.Frames, f => Assert.Equal(64 + (BinaryPrimitives.ReadInt32LittleEndian(f) * 37 % 1437), f.Length));
        foreach (var port in new byte[] { 0, 1 })
        {
            var sequence = collector.Frames.Where(f => f[4] == port).Select(f => BinaryPrimitives.ReadInt32LittleEndian(f)).ToArray();
            Assert.Equal(sequence.Order(), sequence);
        }
    }

    [Fact]
    public void A_size_bounded_file_ring_keeps_the_newest_files_each_readable()
    {
        using var session = new CaptureSession(TwoPorts, new CaptureOptions());
        var tap = new CaptureTap();
        tap.Attach(session, 0);
        for (var i = 0; i < 200; i++)
        {
            tap.Offer(SampleFrames.Mix()[i % 9], CaptureDirection.Inbound);
        }

        var path = Path.Combine(_directory, "ring.pcapng");
        IReadOnlyList<string> kept;
        using (var files = new PcapngFileRing(path, session.Ports, 65535, maxFileBytes: 4096, maxFiles: 3))
        {
            var sink = new PcapngFileSink(files);
            session.Drain(ref sink);
            kept = files.Files;
        }

        Assert.Equal(3, kept.Count);
        Assert.Equal(3, Directory.GetFiles(_directory).Length);
        foreach (var file in kept)
        {
            Assert.True(new FileInfo(file).Length <= 4096);
            var count = ExternalTool.Run("tshark", "tshark", "-r", file, "-T", "fields", "-e", "frame.number").Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
            Assert.True(count > 0);
        }
    }

    [Fact]
    public void Mismatched_snap_lengths_and_empty_port_lists_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new CaptureSession(TwoPorts, new CaptureOptions(SnapLength: 0)));
        Assert.Throws<ArgumentException>(() => new CaptureSession([], new CaptureOptions()));
        Assert.Throws<CaptureFilterException>(() => new CaptureSession(TwoPorts, new CaptureOptions(Filter: "port ,")));
    }

    private static bool BpfMatches(string expression, byte[] frame)
    {
        using var filter = BpfFilter.Compile(expression);
        return filter.Matches(frame, frame.Length);
    }

    private readonly struct FrameCollector(List<byte[]> frames) : ICapturedFrameReader
    {
        public List<byte[]> Frames => frames;

        public void Read(CapturedFrame frame) => frames.Add(frame.Bytes.ToArray());
    }
}
