using Sdn.Common.Packets;
using Sdn.Fabric.Core.Links;
using Sdn.Fabric.Core.Tests.Support;

namespace Sdn.Fabric.Core.Tests.Links;

public class LinkImpairmentTests
{
    private const int Frames = 2000;

    [Fact]
    public void The_same_seed_loses_the_same_frames_at_about_the_configured_rate()
    {
        var first = Deliver(new LinkImpairment(LossRate: 0.25, Seed: 7));
        var second = Deliver(new LinkImpairment(LossRate: 0.25, Seed: 7));
        var other = Deliver(new LinkImpairment(LossRate: 0.25, Seed: 8));

        Assert.Equal(first, second);
        Assert.NotEqual(first, other);
        Assert.InRange(first.Count, Frames * 0.70, Frames * 0.80);
        Assert.Equal(first.Order(), first);
    }

    [Fact]
    public void Reordering_swaps_neighbours_but_loses_nothing()
    {
        var delivered = Deliver(new LinkImpairment(ReorderRate: 0.1, Seed: 3));

        Assert.Equal(Enumerable.Range(0, Frames).Select(i => (long)i), delivered.Order());
        var inversions = delivered.Zip(delivered.Skip(1)).Count(p => p.First > p.Second);
        Assert.InRange(inversions, Frames * 0.05, Frames * 0.15);
    }

    [Fact]
    public void Delay_holds_frames_back_for_the_configured_time()
    {
        var (a, b) = InMemoryLink.CreatePair("a", "b");
        b.Impair(new LinkImpairment(Delay: TimeSpan.FromMilliseconds(50)));
        var sentAt = DateTime.UtcNow;
        a.Send(MplsFrames.Burst(MplsFrames.Build([100], MplsFrames.Payload(1, 0))));

        Assert.Equal(0, b.Receive(new PacketBurst()));
        Assert.Single(LinkPairs.ReceiveFrames(b, 1));
        Assert.True(DateTime.UtcNow - sentAt >= TimeSpan.FromMilliseconds(50));
    }

    /// <summary>Sends <see cref="Frames"/> numbered frames through an impaired in-memory link and returns the numbers delivered.</summary>
    private static List<long> Deliver(LinkImpairment impairment)
    {
        var (a, b) = InMemoryLink.CreatePair("a", "b", ringCapacity: 4096);
        b.Impair(impairment);
        var burst = new PacketBurst();
        for (var i = 0; i < Frames; i++)
        {
            MplsFrames.Write(burst.Append(4 + MplsFrames.PayloadLength), [100], MplsFrames.Payload(1, i));
            if (burst.IsFull)
            {
                a.Send(burst);
                burst.Clear();
            }
        }

        a.Send(burst);
        var delivered = new List<long>();
        for (var empty = 0; empty < 3;)
        {
            burst.Clear();
            empty = b.Receive(burst) == 0 ? empty + 1 : 0;
            for (var i = 0; i < burst.Count; i++)
            {
                delivered.Add(MplsFrames.SequenceOf(burst.Frame(i)[4..]));
            }
        }

        Assert.Equal(Frames - delivered.Count, b.Statistics.RxDropped);
        return delivered;
    }
}
