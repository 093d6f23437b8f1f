using Sdn.Common.Capture;

namespace Sdn.Common.Tests.Capture;

public sealed class BpfFilterTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"sdn-bpf-{Guid.NewGuid():N}.pcapng");

    public void Dispose() => File.Delete(_path);

    [Theory]
    [InlineData("udp")]
    [InlineData("tcp port 80")]
    [InlineData("host 10.0.0.2 and not icmp")]
    [InlineData("arp")]
    [InlineData("ip6")]
    [InlineData("vlan 100")]
    [InlineData("icmp[icmptype] == icmp-echo")]
    [InlineData("src net 192.168.0.0/16")]
    [InlineData("udp dst port 6635")]
    [InlineData("ether src 02:00:00:00:00:0b")]
    [InlineData("")]
    public void Selects_exactly_what_tcpdump_selects(string expression)
    {
        var frames = SampleFrames.Mix();
        using (var writer = new PcapngWriter(File.Create(_path)))
        {
            var port = writer.AddInterface("p", "", LinkType.Ethernet, 65535);
            foreach (var frame in frames)
            {
                writer.WritePacket(port, 0, frame, frame.Length, CaptureDirection.Inbound);
            }
        }

        using var filter = BpfFilter.Compile(expression);
        var ours = frames.Where(f => filter.Matches(f, f.Length)).ToArray();
        var selected = _path + ".selected.pcap";
        ExternalTool.Run("tcpdump", "tcpdump", expression.Length == 0 ? ["-r", _path, "-w", selected] : ["-r", _path, "-w", selected, expression]);
        var theirs = CaptureFileReader.Read(selected).Select(r => r.Bytes).ToArray();
        File.Delete(selected);

        Assert.NotEmpty(theirs);
        Assert.Equal(theirs, ours);
    }

    [Fact]
    public void A_bad_expression_is_refused_with_libpcaps_message()
    {
        var error = Assert.Throws<CaptureFilterException>(() => BpfFilter.Compile("tcp port eighty"));

        Assert.Contains("eighty", error.LibpcapMessage, StringComparison.Ordinal);
        Assert.Contains("tcp port eighty", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Snap_length_limits_what_the_filter_can_see()
    {
        var frame = SampleFrames.Mix()[0];
        using var filter = BpfFilter.Compile("udp dst port 53");

        Assert.True(filter.Matches(frame, frame.Length));
        Assert.False(filter.Matches(frame.AsSpan(0, 20), frame.Length));
    }
}
