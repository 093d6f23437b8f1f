using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Sdn.Common.Packets;
using Sdn.Fabric.Core.Links;
using Sdn.Fabric.Core.Tests.Support;
using Sdn.Testing;

namespace Sdn.Fabric.Core.Tests.Links;

/// <summary>
/// Frames longer than one datagram of the path on an MPLS-in-UDP link: sent in chunks that each fit the path, so the
/// underlay never fragments them, and joined again by the receiver, which also cuts apart what the kernel joined.
/// </summary>
public class ChunkedFrameLinkTests
{
    private static readonly byte[] Labels = LabelledSuperFrames.Labels;
    private static readonly byte[] ExtensionLabel = [0x00, 0x00, 0xF0, 0x00];

    [Theory]
    [InlineData(1472)]
    [InlineData(8972)]
    public void A_super_frame_longer_than_the_datagram_limit_crosses_in_chunks_and_arrives_whole_with_its_offload(int limit)
    {
        var (a, b) = LinkPairs.CreateUdp(limit);
        using (a)
        using (b)
        {
            var (frame, offload) = LabelledSuperFrames.Create();
            var sent = LabelledSuperFrames.BurstOf(frame, offload);

            Assert.Equal(limit, a.DatagramLimit);
            Assert.Equal(1, a.Send(sent));

            var received = Receive(b, 1, new PacketBurst(superFrames: true));
            Assert.Equal(frame, Assert.Single(received).Frame);
            Assert.Equal(offload, received[0].Offload);
            Assert.Equal(frame, sent.Frame(0).ToArray());
            Assert.Equal((1L, (long)frame.Length, 0L), (a.Statistics.TxFrames, a.Statistics.TxBytes, b.Statistics.RxMalformed));
        }
    }

    [Fact]
    public void Each_chunk_is_a_datagram_within_the_limit_that_starts_with_the_extension_label_its_index_and_the_frame_length()
    {
        const int Limit = 1472;
        var peer = new IPEndPoint(LinkPairs.NextLoopbackAddress(), MplsInUdpLink.UdpPort);
        using var plain = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveBufferSize = 1 << 20 };
        plain.Bind(peer);
        using var link = new MplsInUdpLink("a", new MplsInUdpLinkOptions(new IPEndPoint(LinkPairs.NextLoopbackAddress(), MplsInUdpLink.UdpPort), peer) { DatagramLimit = Limit });
        var (frame, offload) = LabelledSuperFrames.Create();

        Assert.Equal(1, link.Send(LabelledSuperFrames.BurstOf(frame, offload)));

        var piece = Limit - ExtensionLabel.Length - 4;
        var chunks = (frame.Length + piece - 1) / piece;
        plain.ReceiveTimeout = 5_000;
        var buffer = new byte[65_536];
        var joined = new List<byte>();
        for (var index = 0; index < chunks; index++)
        {
            var length = plain.Receive(buffer);
            Assert.True(length <= Limit, $"chunk {index} is {length} bytes");
            Assert.Equal(ExtensionLabel, buffer[..4]);
            Assert.Equal(((uint)index << 24) | (uint)frame.Length, BinaryPrimitives.ReadUInt32BigEndian(buffer.AsSpan(4)));
            joined.AddRange(buffer[8..length]);
        }

        // The pieces make the frame, but for its TCP checksum field, which carries the segment size on the wire.
        var checksumField = Labels.Length + SuperFrames.EthernetSize + Ipv4Header.MinimumSize + TcpHeader.ChecksumOffset;
        Assert.Equal(frame.Length, joined.Count);
        Assert.Equal(frame[..checksumField], joined[..checksumField]);
        Assert.Equal(frame[(checksumField + 2)..], joined[(checksumField + 2)..]);
    }

    [Fact]
    public void A_chunk_without_its_first_and_a_first_chunk_left_unfinished_are_counted_as_malformed_and_a_whole_frame_still_arrives()
    {
        var (a, b) = LinkPairs.CreateUdp(1472);
        using (a)
        using (b)
        using (var stranger = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp))
        {
            // From a's address, as a peer whose chunks got lost on the way would send them.
            stranger.Bind(new IPEndPoint(a.LocalEndPoint.Address, 0));
            byte[] header(int index) => [.. ExtensionLabel, (byte)index, 0x00, 0x10, 0x00];
            stranger.SendTo([.. header(1), .. new byte[1000]], b.LocalEndPoint);
            stranger.SendTo([.. header(0), .. new byte[1000]], b.LocalEndPoint);
            var (frame, offload) = LabelledSuperFrames.Create();
            Assert.Equal(1, a.Send(LabelledSuperFrames.BurstOf(frame, offload)));

            var received = Receive(b, 1, new PacketBurst(superFrames: true));
            Assert.Equal(frame, Assert.Single(received).Frame);
            Assert.Equal(2L, b.Statistics.RxMalformed);
        }
    }

    [Fact]
    public void A_run_of_small_frames_the_kernel_joined_into_one_message_arrives_in_order_however_little_room_each_burst_has()
    {
        const int Frames = PacketBurst.Capacity;
        const int Filler = PacketBurst.Capacity - 3;
        var (a, b) = LinkPairs.CreateUdp();
        using (a)
        using (b)
        {
            var sent = new PacketBurst();
            for (var i = 0; i < Frames; i++)
            {
                // Equal lengths and headers, so they go as one segmentation offload send, which loopback hands over whole.
                Assert.True(sent.TryAppend([.. Labels, .. new byte[200], (byte)i]));
            }

            Assert.Equal(Frames, a.Send(sent));

            var arrived = new List<byte>();
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (arrived.Count < Frames && DateTime.UtcNow < deadline)
            {
                var burst = new PacketBurst();
                for (var i = 0; i < Filler; i++)
                {
                    burst.Append(1);
                }

                Assert.InRange(b.Receive(burst), 0, PacketBurst.Capacity - Filler);
                for (var i = Filler; i < burst.Count; i++)
                {
                    arrived.Add(burst.Frame(i)[^1]);
                }

                Thread.Sleep(1);
            }

            Assert.Equal(Enumerable.Range(0, Frames).Select(i => (byte)i), arrived);
            Assert.Equal(0L, b.Statistics.RxMalformed);
        }
    }

    [Fact]
    public void Frames_of_every_shape_arrive_in_a_super_frame_burst_whole_and_in_order_whether_it_has_room_for_all_or_few()
    {
        foreach (var free in new[] { PacketBurst.Capacity, 4, 1 })
        {
            var (a, b) = LinkPairs.CreateUdp(8972, sourcePortCount: 1);
            using (a)
            using (b)
            using (var stranger = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp))
            {
                // In turn: a datagram from a stranger, which gives no frame; a frame in chunks; a run of equal small
                // frames the kernel hands over as one message; another frame in chunks; a lone small frame; a third.
                stranger.Bind(new IPEndPoint(LinkPairs.NextLoopbackAddress(), 0));
                stranger.SendTo([.. Labels, .. new byte[100]], b.LocalEndPoint);
                var expected = new List<byte[]>();
                void send(params byte[][] frames)
                {
                    var burst = new PacketBurst(superFrames: true);
                    foreach (var frame in frames)
                    {
                        Assert.True(burst.TryAppend(frame, frame.Length > PacketBurst.MaxFrameLength ? LabelledSuperFrames.Create().Offload : FrameOffload.None));
                        expected.Add(frame);
                    }

                    Assert.Equal(frames.Length, a.Send(burst));
                }

                send(SuperFrame(1));
                send([.. Enumerable.Range(0, 5).Select(i => (byte[])[.. Labels, .. new byte[300], (byte)i])]);
                send(SuperFrame(2));
                send([.. Labels, .. new byte[50], 0xAB]);
                send(SuperFrame(3));
                Thread.Sleep(50);

                var arrived = new List<byte[]>();
                var deadline = DateTime.UtcNow.AddSeconds(10);
                while (arrived.Count < expected.Count && DateTime.UtcNow < deadline)
                {
                    var burst = new PacketBurst(superFrames: true);
                    for (var i = 0; i < PacketBurst.Capacity - free; i++)
                    {
                        burst.Append(1);
                    }

                    b.Receive(burst);
                    for (var i = PacketBurst.Capacity - free; i < burst.Count; i++)
                    {
                        arrived.Add(burst.Frame(i).ToArray());
                    }
                }

                Assert.Equal(expected.Count, arrived.Count);
                for (var i = 0; i < expected.Count; i++)
                {
                    Assert.True(expected[i].AsSpan().SequenceEqual(arrived[i]), $"with {free} free slots, frame {i} of {arrived[i].Length} bytes differs");
                }

                Assert.Equal((1L, 0L), (b.Statistics.RxForeign, b.Statistics.RxMalformed));
            }
        }
    }

    /// <summary>The labelled super-frame, told apart from others by its last byte.</summary>
    private static byte[] SuperFrame(byte mark)
    {
        var frame = LabelledSuperFrames.Create().Frame;
        frame[^1] = mark;
        return frame;
    }

    private static List<(byte[] Frame, FrameOffload Offload)> Receive(LinkEnd link, int count, PacketBurst burst)
    {
        var frames = new List<(byte[], FrameOffload)>();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (frames.Count < count && DateTime.UtcNow < deadline)
        {
            burst.Clear();
            link.Receive(burst);
            for (var i = 0; i < burst.Count; i++)
            {
                frames.Add((burst.Frame(i).ToArray(), burst.Offload(i)));
            }

            Thread.Sleep(1);
        }

        return frames;
    }
}
