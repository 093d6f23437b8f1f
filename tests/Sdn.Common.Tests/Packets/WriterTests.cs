using Sdn.Common.Packets;

namespace Sdn.Common.Tests.Packets;

public class WriterTests
{
    private delegate bool Writer(Span<byte> destination);

    private static readonly Dictionary<string, (Writer Write, int Size)> Writers = new()
    {
        ["ethernet"] = (d => EthernetHeader.TryWrite(d, 1, 2, EtherTypes.Ipv4), EthernetHeader.Size),
        ["vlan"] = (d => VlanTag.TryWrite(d, 5, EtherTypes.Ipv4), VlanTag.Size),
        ["mpls"] = (d => MplsHeader.TryWrite(d, TestFrames.Labels), 3 * MplsLabelStackEntry.Size),
        ["arp"] = (d => ArpPacket.TryWrite(d, ArpPacket.Reply, 1, 2, 3, 4), ArpPacket.Size),
        ["ipv4"] = (d => Ipv4Header.TryWrite(d, 1, 2, IpProtocols.Udp, 0, options: [1, 1, 1, 0]), Ipv4Header.MinimumSize + 4),
        ["ipv6"] = (d => Ipv6Header.TryWrite(d, 1, 2, IpProtocols.Udp, 0), Ipv6Header.Size),
        ["ipv6 options"] = (d => Ipv6ExtensionChain.TryWritePaddingOptions(d, IpProtocols.Udp), Ipv6ExtensionChain.PaddingOptionsHeaderSize),
        ["ipv6 fragment"] = (d => Ipv6ExtensionChain.TryWriteFragment(d, IpProtocols.Udp, 1, true, 9), Ipv6ExtensionChain.FragmentHeaderSize),
        ["udp"] = (d => UdpHeader.TryWrite(d, 1, 2, 0), UdpHeader.Size),
        ["tcp"] = (d => TcpHeader.TryWrite(d, 1, 2, 3, 4, TcpHeader.Syn, options: [1, 1, 1, 0]), TcpHeader.MinimumSize + 4),
        ["icmp echo"] = (d => IcmpHeader.TryWriteEcho(d, IcmpHeader.EchoReply, 1, 2), IcmpHeader.Size),
    };

    public static TheoryData<string> WriterNames => [.. Writers.Keys];

    [Theory]
    [MemberData(nameof(WriterNames))]
    public void Every_writer_refuses_a_destination_one_byte_too_small(string name)
    {
        var (write, size) = Writers[name];

        Assert.False(write(new byte[size - 1]));
        Assert.True(write(new byte[size]));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(44)]
    public void Options_that_are_not_whole_words_or_longer_than_40_bytes_are_refused(int length)
    {
        var options = new byte[length];
        var destination = new byte[TcpHeader.MaximumSize + 8];

        Assert.False(Ipv4Header.TryWrite(destination, 1, 2, IpProtocols.Tcp, 0, options: options));
        Assert.False(TcpHeader.TryWrite(destination, 1, 2, 3, 4, TcpHeader.Ack, options: options));
    }

    [Fact]
    public void The_mpls_writer_sets_the_bottom_of_stack_bit_on_the_last_entry_only()
    {
        var bytes = new byte[8];
        MplsLabelStackEntry[] allBottom = [new(100, 0, true, 1), new(200, 0, true, 1)];

        Assert.True(MplsHeader.TryWrite(bytes, allBottom));
        Assert.Equal(ParseStatus.Ok, MplsHeader.Parse(bytes, out var stack));
        Assert.Equal(2, stack.Depth);
        Assert.Equal(100u, stack.Entry(0).Label);
        Assert.Equal(new MplsLabelStackEntry(200, 0, true, 1), stack.Entry(1));
        Assert.False(MplsHeader.TryWrite(bytes, []));
    }

    [Fact]
    public void The_ipv4_writer_stores_a_header_checksum_that_verifies()
    {
        var bytes = new byte[Ipv4Header.MinimumSize + 12];
        Assert.True(Ipv4Header.TryWrite(bytes, 0x0A000001, 0x0A000002, IpProtocols.Udp, 12, ttl: 9, identification: 3));

        Assert.Equal(ParseStatus.Ok, Ipv4Header.Parse(bytes, out var header));
        Assert.True(header.IsChecksumValid);
        Assert.Equal(9, header.Ttl);
        Assert.Equal(12, header.Payload.Length);
    }

    [Fact]
    public void A_frame_builder_that_runs_out_of_room_fails_to_finish()
    {
        var builder = new FrameBuilder(new byte[EthernetHeader.Size + 10]);
        builder.Ethernet(1, 2, EtherTypes.Ipv4);
        builder.Ipv4(1, 2, IpProtocols.Udp);

        Assert.False(builder.TryFinish(out _));
    }
}
