using Sdn.Common.Capture;
using Sdn.Common.Packets;

namespace Sdn.Common.Tests.Capture;

public sealed class CaptureSummaryTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"sdn-summary-{Guid.NewGuid():N}.pcapng");

    public void Dispose() => File.Delete(_path);

    [Theory]
    [InlineData(0, "IP 10.0.0.1.1111 > 10.0.0.2.53: UDP, length 0")]
    [InlineData(2, "IP 10.0.0.1.40000 > 10.0.1.9.80: Flags [none], length 0")]
    [InlineData(3, "IP 10.0.0.1 > 10.0.0.2: ICMP echo request, length 8")]
    [InlineData(5, "ARP, Request who-has 10.0.0.2 tell 10.0.0.1, length 28")]
    [InlineData(6, "IP6 fd00::1.5000 > fd00::2.6000: UDP, length 0")]
    [InlineData(7, "vlan 100, IP 10.0.0.1.7 > 10.0.0.2.7: UDP, length 0")]
    public void Describes_each_kind_of_frame_as_tcpdump_nn_does(int sample, string expected)
    {
        var frame = SampleFrames.Mix()[sample];

        Assert.Equal(expected, CaptureSummary.Describe(frame, frame.Length));
    }

    [Fact]
    public void Lines_match_tcpdumps_for_frames_it_prints_the_same_way()
    {
        int[] samples = [5, 6];
        var frames = SampleFrames.Mix();
        using (var writer = new PcapngWriter(File.Create(_path)))
        {
            var port = writer.AddInterface("p", "", LinkType.Ethernet, 65535);
            foreach (var sample in samples)
            {
                writer.WritePacket(port, 0, frames[sample], frames[sample].Length, CaptureDirection.Inbound);
            }
        }

        var tcpdump = ExternalTool.Run("tcpdump", "tcpdump", "-r", _path, "-nn", "-t").Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(samples.Select(s => CaptureSummary.Describe(frames[s], frames[s].Length)), tcpdump);
    }

    [Fact]
    public void Icmpv6_is_named_as_tcpdump_names_it()
    {
        var buffer = new byte[128];
        var builder = new FrameBuilder(buffer);
        builder.Ethernet(0x0200_0000_0002, 0x0200_0000_0001, EtherTypes.Ipv6);
        builder.Ipv6(1, 2, IpProtocols.Icmpv6);
        builder.IcmpEcho(IcmpHeader.Icmpv6EchoRequest, 7, 1);
        Assert.True(builder.TryFinish(out var length));

        Assert.Equal("IP6 ::1 > ::2: ICMP6, echo request, length 8", CaptureSummary.Describe(buffer.AsSpan(0, length), length));
    }

    [Fact]
    public void A_malformed_frame_names_the_layer_instead_of_failing()
    {
        var frame = SampleFrames.Mix()[0].AsSpan(0, 20);

        Assert.Equal("[Ipv4 truncated], length 42", CaptureSummary.Describe(frame, 42));
    }

    [Fact]
    public void A_line_carries_the_time_port_and_direction()
    {
        var frame = SampleFrames.Mix()[0];
        var line = CaptureSummary.Format(new CapturedFrame(frame, frame.Length, 1_700_000_000_123_456_789, CaptureDirection.Outbound, 0), "e1/vm1");

        Assert.Equal("22:13:20.123456 e1/vm1 Out IP 10.0.0.1.1111 > 10.0.0.2.53: UDP, length 0", line);
    }
}
