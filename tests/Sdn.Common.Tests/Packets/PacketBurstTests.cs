using Sdn.Common.Packets;

namespace Sdn.Common.Tests.Packets;

public class PacketBurstTests
{
    [Fact]
    public void Appended_frames_keep_their_bytes_and_order()
    {
        var burst = new PacketBurst();

        Assert.True(burst.TryAppend([1, 2, 3]));
        Assert.True(burst.TryAppend([4, 5]));

        Assert.Equal(2, burst.Count);
        Assert.Equal([1, 2, 3], burst.Frame(0).ToArray());
        Assert.Equal([4, 5], burst.Frame(1).ToArray());
    }

    [Fact]
    public void Removing_a_frame_moves_the_later_ones_down_with_their_pushed_headers_and_offloads()
    {
        var burst = new PacketBurst();
        var offload = new FrameOffload(FrameSegmentation.TcpIpv4, 1448, 40, 20, 16);
        burst.TryAppend([1, 2, 3]);
        burst.TryAppend([4, 5]);
        burst.TryAppend([6, 7], offload);
        Assert.True(burst.TryPushFront(2, 2, out var pushed));
        pushed[..2].Fill(9);

        burst.RemoveAt(1);

        Assert.Equal(2, burst.Count);
        Assert.Equal([1, 2, 3], burst.Frame(0).ToArray());
        Assert.Equal([9, 9, 6, 7], burst.Frame(1).ToArray());
        Assert.Equal(offload, burst.Offload(1));
        Assert.Equal(FrameOffload.None, burst.Offload(0));
    }

    [Fact]
    public void A_super_frame_burst_holds_64_KiB_frames_and_a_standard_one_refuses_them()
    {
        var frame = new byte[65_000];

        Assert.True(new PacketBurst(superFrames: true).TryAppend(frame));
        Assert.False(new PacketBurst().TryAppend(frame));
    }

    [Fact]
    public void A_full_burst_refuses_more_frames()
    {
        var burst = new PacketBurst();
        for (var i = 0; i < PacketBurst.Capacity; i++)
        {
            Assert.True(burst.TryAppend([(byte)i]));
        }

        Assert.True(burst.IsFull);
        Assert.False(burst.TryAppend([0]));
        Assert.True(burst.Append(1).IsEmpty);
    }

    [Fact]
    public void A_frame_longer_than_a_slot_is_refused()
    {
        var burst = new PacketBurst();

        Assert.False(burst.TryAppend(new byte[PacketBurst.MaxFrameLength + 1]));
        Assert.True(burst.TryAppend(new byte[PacketBurst.MaxFrameLength]));
    }

    [Fact]
    public void Pushing_and_pulling_headers_moves_the_frame_start()
    {
        var burst = new PacketBurst();
        burst.TryAppend([9, 9]);

        Assert.True(burst.TryPushFront(0, 4, out var pushed));
        pushed[..4].Fill(7);
        Assert.Equal([7, 7, 7, 7, 9, 9], burst.Frame(0).ToArray());

        Assert.True(burst.TryPullFront(0, 4));
        Assert.Equal([9, 9], burst.Frame(0).ToArray());
        Assert.False(burst.TryPullFront(0, 3));
    }

    [Fact]
    public void Headroom_bounds_how_much_can_be_pushed()
    {
        var burst = new PacketBurst();
        burst.TryAppend([1]);

        Assert.False(burst.TryPushFront(0, PacketBurst.Headroom + 1, out _));
        Assert.True(burst.TryPushFront(0, PacketBurst.Headroom, out var frame));
        Assert.Equal(PacketBurst.Headroom + 1, frame.Length);
    }

    [Fact]
    public void A_frame_written_into_a_free_slot_before_it_is_added_keeps_its_bytes_and_starts_where_it_was_written()
    {
        var burst = new PacketBurst();
        Assert.True(burst.TryAppend([1, 2, 3]));
        Assert.True(burst.UnclaimedSlot(0).IsEmpty);
        Assert.True(burst.UnclaimedSlot(PacketBurst.Capacity).IsEmpty);

        var slot = burst.UnclaimedSlot(1);
        Assert.Equal(PacketBurst.SlotSize, slot.Length);
        byte[] written = [9, 8, 7, 6];
        written.CopyTo(slot[(PacketBurst.Headroom - 2)..]);

        Assert.Equal(written, burst.Append(written.Length, PacketBurst.Headroom - 2).ToArray());
        Assert.Equal(written, burst.Frame(1).ToArray());
        Assert.True(burst.TryPushFront(1, PacketBurst.Headroom - 2, out _));
        Assert.False(burst.TryPushFront(1, 1, out _));
        Assert.True(burst.Append(1_900, 200).IsEmpty);
        Assert.True(burst.Append(PacketBurst.MaxFrameLength + 1, 0).IsEmpty);
        Assert.Equal(2, burst.Count);
    }

    [Fact]
    public void Clear_empties_the_burst_for_reuse()
    {
        var burst = new PacketBurst();
        burst.TryAppend([1]);
        burst.Clear();

        Assert.Equal(0, burst.Count);
        Assert.True(burst.TryAppend([2]));
        Assert.Equal([2], burst.Frame(0).ToArray());
    }
}
