using Sdn.Common.Packets;
using Sdn.Fabric.Core.Links;
using Sdn.Fabric.Core.Tests.Support;

namespace Sdn.Fabric.Core.Tests.Links;

public class InMemoryLinkTests
{
    [Fact]
    public void A_full_ring_refuses_the_rest_of_a_burst_and_counts_it()
    {
        var (a, b) = InMemoryLink.CreatePair("a", "b", ringCapacity: 4);
        var frames = Enumerable.Range(0, 10).Select(i => MplsFrames.Build([100], MplsFrames.Payload(1, i))).ToArray();

        Assert.Equal(4, a.Send(MplsFrames.Burst(frames)));

        Assert.Equal(6, a.Statistics.TxDropped);
        Assert.Equal(frames[..4], LinkPairs.ReceiveFrames(b, 4));
    }

    [Fact]
    public void A_receive_takes_no_more_frames_than_the_burst_has_room_for()
    {
        var (a, b) = InMemoryLink.CreatePair("a", "b");
        var frame = MplsFrames.Build([100], MplsFrames.Payload(1, 0));
        var full = new PacketBurst();
        for (var i = 0; i < PacketBurst.Capacity - 1; i++)
        {
            full.TryAppend(frame);
        }

        a.Send(MplsFrames.Burst(frame, frame, frame));

        Assert.Equal(1, b.Receive(full));
        Assert.Equal(0, b.Statistics.RxDropped);
        Assert.Equal(2, LinkPairs.ReceiveFrames(b, 2).Count);
    }

    [Fact]
    public void Producer_and_consumer_threads_move_a_million_frames_without_loss_or_reordering()
    {
        var (a, b) = InMemoryLink.CreatePair("a", "b", ringCapacity: 256);
        const int Total = 1_000_000;
        var producer = new Thread(() =>
        {
            var burst = new PacketBurst();
            var sent = 0;
            while (sent < Total)
            {
                burst.Clear();
                for (var i = sent; i < Math.Min(Total, sent + PacketBurst.Capacity); i++)
                {
                    MplsFrames.Write(burst.Append(12), [100], BitConverter.GetBytes((long)i));
                }

                sent += a.Send(burst);
            }
        });
        producer.Start();

        var expected = 0L;
        var received = new PacketBurst();
        while (expected < Total)
        {
            received.Clear();
            b.Receive(received);
            for (var i = 0; i < received.Count; i++)
            {
                Assert.Equal(expected++, BitConverter.ToInt64(received.Frame(i)[4..]));
            }
        }

        producer.Join();
        Assert.Equal(Total, b.Statistics.RxFrames);
    }
}
