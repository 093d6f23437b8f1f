using System.Text;
using Sdn.Common.Capture;

namespace Sdn.Common.Tests.Capture;

public sealed class PcapngWriterTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"sdn-pcapng-{Guid.NewGuid():N}.pcapng");

    public void Dispose() => File.Delete(_path);

    [Fact]
    public void Tshark_reads_every_packet_with_its_interface_direction_and_fields()
    {
        var frames = SampleFrames.Mix();
        using (var writer = new PcapngWriter(File.Create(_path)))
        {
            var vnic = writer.AddInterface("e1/vm1", "vNIC of vm1 on edge e1", LinkType.Ethernet, 65535);
            var uplink = writer.AddInterface("e1/uplink0", "uplink of edge e1", LinkType.Ethernet, 65535);
            for (var i = 0; i < frames.Count; i++)
            {
                writer.WritePacket(
                    i % 2 == 0 ? vnic : uplink,
                    1_700_000_000_123_456_789L + i,
                    frames[i],
                    frames[i].Length,
                    i % 2 == 0 ? CaptureDirection.Inbound : CaptureDirection.Outbound);
            }
        }

        var lines = Tshark("-T", "fields", "-e", "frame.interface_name", "-e", "frame.len", "-e", "pkt_comment", "-e", "ip.dst", "-e", "udp.dstport", "-e", "frame.time_epoch", "-e", "eth.type");

        Assert.Equal(frames.Count, lines.Length);
        Assert.Equal(["e1/vm1", frames[0].Length.ToString(System.Globalization.CultureInfo.InvariantCulture), "", "10.0.0.2", "53", "1700000000.123456789", "0x0800"], lines[0].Split('\t'));
        Assert.StartsWith("e1/uplink0\t", lines[1], StringComparison.Ordinal);
        Assert.Equal("10.0.1.9", lines[2].Split('\t')[3]);
        Assert.Equal("0x0806", lines[5].Split('\t')[6]);
        var directions = Tshark("-T", "fields", "-e", "frame.packet_flags_direction");
        Assert.Equal("0x00000001", directions[0]);
        Assert.Equal("0x00000002", directions[1]);
    }

    [Fact]
    public void Snapped_packets_keep_their_original_length_and_comments_survive()
    {
        var frame = SampleFrames.Mix()[2];
        using (var writer = new PcapngWriter(File.Create(_path)))
        {
            var port = writer.AddInterface("c1/l0", "core link", LinkType.Ethernet, 40);
            writer.WritePacket(port, 1, frame.AsSpan(0, 40), frame.Length, CaptureDirection.Outbound, Encoding.UTF8.GetBytes("dropped: acl"));
        }

        var fields = Tshark("-T", "fields", "-e", "frame.cap_len", "-e", "frame.len", "-e", "frame.comment")[0].Split('\t');

        Assert.Equal(["40", frame.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), "dropped: acl"], fields);
    }

    [Fact]
    public void Writing_to_an_unknown_interface_is_an_error()
    {
        using var writer = new PcapngWriter(new MemoryStream());

        Assert.Throws<ArgumentOutOfRangeException>(() => writer.WritePacket(0, 0, [1, 2, 3], 3, CaptureDirection.Inbound));
    }

    private string[] Tshark(params string[] arguments)
    {
        var output = ExternalTool.Run("tshark", "tshark", ["-r", _path, .. arguments]);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }
}
