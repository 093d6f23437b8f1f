using System.Collections.Concurrent;
using Sdn.Common.Capture;
using Sdn.Contracts;
using Sdn.Contracts.Southbound;

namespace Sdn.Contracts.Tests.Southbound;

/// <summary>The captures an agent runs for the controller: a port's tap into a ring, and the ring into CapturedPacket reports.</summary>
public sealed class AgentCapturesTests : IDisposable
{
    private readonly ConcurrentQueue<AgentMessage> _reports = new();
    private int _backlog;
    private long _backlogFrameBytes;
    private readonly AgentCaptures _captures;

    public AgentCapturesTests() => _captures = new AgentCaptures(_reports.Enqueue, () => (Volatile.Read(ref _backlog), Interlocked.Read(ref _backlogFrameBytes)));

    public void Dispose() => _captures.Dispose();

    [Fact]
    public void Frames_that_match_the_filter_and_direction_are_reported_with_port_direction_time_and_lengths()
    {
        var tap = new CaptureTap();
        using var capture = _captures.Start(Start(filter: "udp", Direction.In, snapLength: 20), tap);
        var before = CaptureClock.UnixNanoseconds();

        foreach (var frame in SampleFrames.Mix())
        {
            tap.Offer(frame, CaptureDirection.Inbound);
            tap.Offer(frame, CaptureDirection.Outbound);
        }

        using var oracle = BpfFilter.Compile("udp");
        var udp = SampleFrames.Mix().Where(f => oracle.Matches(f, f.Length)).ToList();
        Assert.True(SpinWait.SpinUntil(() => Packets().Count == udp.Count, TimeSpan.FromSeconds(10)), $"{Packets().Count} of {udp.Count} reported");
        var packets = Packets();
        Assert.All(packets, p => Assert.Equal((7ul, "vm1", Direction.In), (p.CaptureId, p.Port, p.Direction)));
        Assert.Equal(udp.Select(f => (uint)f.Length), packets.Select(p => p.OriginalLength));
        Assert.Equal(udp.Select(f => Convert.ToHexString(f[..20])), packets.Select(p => Convert.ToHexString(p.Data.Span)));
        Assert.All(packets, p => Assert.InRange((long)p.TimestampNs, before, CaptureClock.UnixNanoseconds()));
    }

    [Theory]
    [InlineData(AgentCaptures.MaxBacklog + 1, 0L)]
    [InlineData(1, AgentCaptures.MaxBacklogFrameBytes + 1)]
    public void A_full_ring_drops_and_counts_instead_of_holding_the_datapath_and_the_count_is_reported_at_the_stop(int backlog, long backlogFrameBytes)
    {
        Volatile.Write(ref _backlog, backlog);
        Interlocked.Exchange(ref _backlogFrameBytes, backlogFrameBytes);
        var tap = new CaptureTap();
        var capture = _captures.Start(Start(filter: "", Direction.Both, snapLength: 64), tap);
        var frame = SampleFrames.Mix()[0];
        var fits = AgentCaptures.RingBytes / CaptureRing.RecordLength(frame.Length);

        for (var i = 0; i < fits + 1000; i++)
        {
            tap.Offer(frame, CaptureDirection.Outbound);
        }

        capture.Dispose();

        Assert.False(tap.IsActive);
        Assert.Empty(Packets());
        var drops = Assert.Single(_reports, r => r.CaptureDrops is not null).CaptureDrops;
        Assert.Equal((7ul, "vm1", 1000ul), (drops.CaptureId, drops.Port, drops.Dropped));
    }

    [Theory]
    [InlineData(262_144u)]
    [InlineData(65_536u)]
    public void A_tap_ports_super_frame_is_reported_whole_up_to_the_snap_length(uint snapLength)
    {
        var tap = new CaptureTap();
        using var capture = _captures.Start(Start(filter: "tcp", Direction.In, snapLength), tap);
        var (frame, _) = SuperFrames.Tcp(ipv6: false, payloadLength: 60_000, segmentSize: 1448);
        var (longer, _) = SuperFrames.Tcp(ipv6: true, payloadLength: 65_000, segmentSize: 1440);

        tap.Offer(frame, CaptureDirection.Inbound);
        tap.Offer(longer, CaptureDirection.Inbound);

        Assert.True(SpinWait.SpinUntil(() => Packets().Count == 2, TimeSpan.FromSeconds(10)), $"{Packets().Count} of 2 reported");
        var packets = Packets();
        Assert.Equal([(uint)frame.Length, (uint)longer.Length], packets.Select(p => p.OriginalLength));
        Assert.Equal(Convert.ToHexString(frame), Convert.ToHexString(packets[0].Data.Span));
        Assert.Equal(Convert.ToHexString(longer.AsSpan(0, Math.Min(longer.Length, (int)snapLength))), Convert.ToHexString(packets[1].Data.Span));
    }

    [Fact]
    public void Two_captures_of_one_tap_run_at_once_and_stopping_one_leaves_the_other()
    {
        var tap = new CaptureTap();
        var udp = _captures.Start(Start(filter: "udp", Direction.Both, snapLength: 128, id: 1), tap);
        using var tcp = _captures.Start(Start(filter: "tcp", Direction.Both, snapLength: 128, id: 2), tap);
        foreach (var frame in SampleFrames.Mix())
        {
            tap.Offer(frame, CaptureDirection.Inbound);
        }

        udp.Dispose();
        tap.Offer(SampleFrames.Mix()[2], CaptureDirection.Inbound);

        Assert.True(SpinWait.SpinUntil(() => Packets().Count(p => p.CaptureId == 2) == 3, TimeSpan.FromSeconds(10)));
        Assert.True(tap.IsActive);
        Assert.InRange(Packets().Count(p => p.CaptureId == 1), 0, 5);
    }

    [Fact]
    public void A_bad_filter_throws_libpcaps_message_and_attaches_nothing()
    {
        var tap = new CaptureTap();

        var refused = Assert.Throws<CaptureFilterException>(() => _captures.Start(Start(filter: "tcp port", Direction.Both, snapLength: 64), tap));

        Assert.Contains("syntax error", refused.Message, StringComparison.Ordinal);
        Assert.False(tap.IsActive);
    }

    private static CaptureStart Start(string filter, Direction direction, uint snapLength, ulong id = 7) =>
        new() { CaptureId = id, Port = "vm1", Filter = filter, Direction = direction, SnapLength = snapLength };

    private List<CapturedPacket> Packets() => [.. _reports.Where(r => r.CapturedPacket is not null).Select(r => r.CapturedPacket)];
}
