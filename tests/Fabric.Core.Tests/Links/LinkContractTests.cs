using Sdn.Common.Capture;
using Sdn.Common.Packets;
using Sdn.Common.Polling;
using Sdn.Fabric.Core.Links;
using Sdn.Fabric.Core.Links.Liveness;
using Sdn.Fabric.Core.Tests.Support;

namespace Sdn.Fabric.Core.Tests.Links;

/// <summary>What every kind of link must do the same way: bytes, order within a flow, counters, forced down, hellos.</summary>
public class LinkContractTests
{
    public static TheoryData<string> Kinds => LinkPairs.Kinds;

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Frames_of_one_flow_cross_intact_in_order_and_are_counted(string kind)
    {
        var (a, b) = LinkPairs.Create(kind);
        using (a)
        using (b)
        {
            var frames = Enumerable.Range(0, 20).Select(i => MplsFrames.Build([100, 5000], MplsFrames.Payload(flow: 1, i))).ToArray();

            Assert.Equal(20, a.Send(MplsFrames.Burst(frames)));
            var received = LinkPairs.ReceiveFrames(b, 20);

            Assert.Equal(frames, received);
            var bytes = frames.Sum(f => (long)f.Length);
            Assert.Equal((20L, bytes, 0L), (a.Statistics.TxFrames, a.Statistics.TxBytes, a.Statistics.TxDropped));
            Assert.Equal((20L, bytes, 0L), (b.Statistics.RxFrames, b.Statistics.RxBytes, b.Statistics.RxDropped));
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task A_receiver_parked_on_its_doorbell_wakes_when_a_frame_arrives(string kind)
    {
        var (a, b) = LinkPairs.Create(kind);
        using (a)
        using (b)
        {
            var doorbell = new Doorbell();
            b.WakeOnArrival(doorbell);
            using var parked = new SemaphoreSlim(0);
            var received = new PacketBurst();
            var receiver = Task.Factory.StartNew(
                () =>
                {
                    parked.Release();

                    // A minute's timeout: only the arrival can end the park within the test's wait.
                    while (doorbell.Park(() => b.Receive(received), timeoutMilliseconds: 60_000) == 0)
                    {
                    }
                },
                TaskCreationOptions.LongRunning);
            await parked.WaitAsync();
            await Task.Delay(50);

            a.Send(MplsFrames.Burst([MplsFrames.Build([100], MplsFrames.Payload(flow: 1, 0))]));

            await receiver.WaitAsync(TimeSpan.FromSeconds(20));
            Assert.Equal(1, received.Count);
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Captures_on_both_ends_decode_in_tshark_as_mpls_with_their_labels_and_direction(string kind)
    {
        var (a, b) = LinkPairs.Create(kind);
        var path = Path.Combine(Path.GetTempPath(), $"sdn-link-capture-{Guid.NewGuid():N}.pcapng");
        using (a)
        using (b)
        {
            var ports = new[] { new CapturePort($"{a.Name}/a", "sending end"), new CapturePort($"{b.Name}/b", "receiving end") };
            using var session = new CaptureSession(ports, new CaptureOptions());
            a.Capture.Tap.Attach(session, 0);
            b.Capture.Tap.Attach(session, 1);
            var frames = Enumerable.Range(0, 5).Select(i => MplsFrames.Build([100, 5000], MplsFrames.Payload(flow: 1, i))).ToArray();

            a.Send(MplsFrames.Burst(frames));
            a.SendHello(HelloFrame());
            LinkPairs.ReceiveFrames(b, 5);
            using (var files = new PcapngFileRing(path, ports, 65535))
            {
                var sink = new PcapngFileSink(files);
                session.Drain(ref sink);
            }
        }

        var lines = ExternalTool.Run("tshark", "tshark", "-r", path, "-T", "fields", "-e", "frame.interface_name", "-e", "frame.packet_flags_direction", "-e", "mpls.label")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);
        File.Delete(path);

        Assert.Equal(10, lines.Length);
        Assert.Equal(5, lines.Count(l => l.EndsWith("/a\t0x00000002\t100,5000", StringComparison.Ordinal)));
        Assert.Equal(5, lines.Count(l => l.EndsWith("/b\t0x00000001\t100,5000", StringComparison.Ordinal)));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void A_link_forced_down_drops_and_counts_both_directions(string kind)
    {
        var (a, b) = LinkPairs.Create(kind);
        using (a)
        using (b)
        {
            var frame = MplsFrames.Build([100], MplsFrames.Payload(1, 0));
            a.IsForcedDown = true;

            Assert.Equal(0, a.Send(MplsFrames.Burst(frame, frame)));
            Assert.False(a.SendHello(HelloFrame()));
            Assert.Equal(3, b.Send(MplsFrames.Burst(frame, frame, frame)));
            Assert.Empty(LinkPairs.ReceiveFrames(a, 1));

            Assert.Equal(2, a.Statistics.TxDropped);
            Assert.Equal(3, a.Statistics.RxDropped);
            Assert.Equal(0, a.Statistics.RxFrames);

            a.IsForcedDown = false;
            b.Send(MplsFrames.Burst(frame));
            Assert.Single(LinkPairs.ReceiveFrames(a, 1));
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Hellos_are_diverted_from_data_and_counted_apart(string kind)
    {
        var (a, b) = LinkPairs.Create(kind);
        using (a)
        using (b)
        {
            var data = MplsFrames.Build([100], MplsFrames.Payload(1, 0));
            Assert.True(a.SendHello(HelloFrame()));
            a.Send(MplsFrames.Burst(data));

            Assert.Equal([data], LinkPairs.ReceiveFrames(b, 1));
            Assert.Equal((1L, 1L), (a.Statistics.HellosSent, a.Statistics.TxFrames));
            Assert.Equal((1L, 1L), (b.Statistics.HellosReceived, b.Statistics.RxFrames));
        }
    }

    [Fact]
    public void A_hello_received_among_data_straight_into_super_frame_slots_is_diverted_and_the_data_keeps_its_order()
    {
        var (a, b) = LinkPairs.CreateUdp();
        using (a)
        using (b)
        {
            var first = MplsFrames.Build([100], MplsFrames.Payload(1, 0));
            var second = MplsFrames.Build([100], MplsFrames.Payload(2, 0));
            a.Send(MplsFrames.Burst(first));
            Assert.True(a.SendHello(HelloFrame()));
            a.Send(MplsFrames.Burst(second));

            var received = new PacketBurst(superFrames: true);
            var deadline = DateTime.UtcNow.AddSeconds(1);
            while ((received.Count < 2 || b.Statistics.HellosReceived == 0) && DateTime.UtcNow < deadline)
            {
                b.Receive(received);
                Thread.Sleep(1);
            }

            Assert.Equal([first, second], Enumerable.Range(0, received.Count).Select(i => received.Frame(i).ToArray()));
            Assert.Equal((1L, 2L), (b.Statistics.HellosReceived, b.Statistics.RxFrames));
        }
    }

    private static byte[] HelloFrame()
    {
        var hello = new byte[LivenessHello.Size];
        LivenessHello.Write(hello, new BfdControlPacket(LivenessState.Down, LivenessDiagnostic.None, 3, 42, 0, 10_000, 10_000));
        return hello;
    }
}
