using System.Buffers;
using Sdn.Common.Capture;

namespace Sdn.Common.Tests.Capture;

public sealed class CaptureFileReaderTests : IDisposable
{
    private const long Timestamp = 1_700_000_000_123_456_789L;
    private readonly string _directory = Directory.CreateTempSubdirectory("sdn-reader-").FullName;
    private readonly IReadOnlyList<byte[]> _frames = SampleFrames.Mix();

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Our_pcapng_reads_back_with_interface_time_direction_and_snap()
    {
        var path = WriteOurs();

        var records = CaptureFileReader.Read(path);

        Assert.Equal(_frames.Count, records.Count);
        var first = records[0];
        Assert.Equal(("e1/vm1", LinkType.Ethernet, Timestamp, _frames[0].Length, CaptureDirection.Inbound), (first.Interface, first.LinkType, first.TimestampNanoseconds, first.OriginalLength, first.Direction));
        Assert.Equal(_frames[0], first.Bytes);
        Assert.Equal(("e1/uplink0", CaptureDirection.Outbound, Timestamp + 1), (records[1].Interface, records[1].Direction, records[1].TimestampNanoseconds));
        Assert.Equal(_frames[2].AsSpan(0, 40).ToArray(), records[2].Bytes);
        Assert.Equal(_frames[2].Length, records[2].OriginalLength);
    }

    [Fact]
    public void Pcapng_rewritten_by_tshark_reads_the_same()
    {
        var theirs = Path.Combine(_directory, "theirs.pcapng");
        ExternalTool.Run("tshark", "tshark", "-r", WriteOurs(), "-w", theirs, "-F", "pcapng");

        var records = CaptureFileReader.Read(theirs);

        Assert.Equal(_frames.Count, records.Count);
        Assert.Equal(_frames[5], records[5].Bytes);
        Assert.Equal("e1/uplink0", records[1].Interface);
        Assert.Equal(Timestamp + 1, records[1].TimestampNanoseconds);
    }

    [Theory]
    [InlineData("tcpdump", 1000)]
    [InlineData("tshark-nsec", 1)]
    public void Classic_pcap_from_tcpdump_or_tshark_reads_the_frames(string writer, long resolutionNanoseconds)
    {
        var theirs = Path.Combine(_directory, "theirs.pcap");
        if (writer == "tcpdump")
        {
            ExternalTool.Run("tcpdump", "tcpdump", "-r", WriteOurs(), "-w", theirs);
        }
        else
        {
            ExternalTool.Run("tshark", "tshark", "-r", WriteOurs(), "-w", theirs, "-F", "nsecpcap");
        }

        var records = CaptureFileReader.Read(theirs);

        Assert.Equal(_frames.Count, records.Count);
        Assert.Equal(_frames[6], records[6].Bytes);
        Assert.Equal(LinkType.Ethernet, records[6].LinkType);
        Assert.Equal(Timestamp / resolutionNanoseconds * resolutionNanoseconds, records[0].TimestampNanoseconds);
    }

    [Fact]
    public void A_block_is_taken_only_once_it_is_whole_and_an_impossible_length_is_refused()
    {
        var bytes = File.ReadAllBytes(WriteOurs());
        var partial = new ReadOnlySequence<byte>(bytes, 0, 20);

        Assert.False(CaptureFileReader.TryReadBlock(ref partial, bigEndian: false, out _, out _));
        Assert.Equal(20, partial.Length);

        var whole = new ReadOnlySequence<byte>(bytes);
        Assert.True(CaptureFileReader.TryReadBlock(ref whole, bigEndian: false, out var type, out _));
        Assert.Equal(0x0A0D0D0Au, type);
        Assert.True(whole.Length < bytes.Length);

        var oversize = new ReadOnlySequence<byte>([6, 0, 0, 0, 0, 0, 0, 0x40, 0, 0, 0, 0]);
        Assert.Throws<CaptureFileException>(() => CaptureFileReader.TryReadBlock(ref oversize, bigEndian: false, out _, out _));
    }

    [Fact]
    public void Damaged_foreign_and_missing_files_are_clear_errors()
    {
        var ours = File.ReadAllBytes(WriteOurs());
        var truncated = Path.Combine(_directory, "cut.pcapng");
        File.WriteAllBytes(truncated, ours[..^10]);
        var foreign = Path.Combine(_directory, "notes.txt");
        File.WriteAllText(foreign, "hello, not a capture");

        Assert.Contains("cut short", Assert.Throws<CaptureFileException>(() => CaptureFileReader.Read(truncated)).Message, StringComparison.Ordinal);
        Assert.Contains("not a pcapng or pcap file", Assert.Throws<CaptureFileException>(() => CaptureFileReader.Read(foreign)).Message, StringComparison.Ordinal);
        Assert.Contains("cannot read the capture file", Assert.Throws<CaptureFileException>(() => CaptureFileReader.Read(Path.Combine(_directory, "none"))).Message, StringComparison.Ordinal);
    }

    private string WriteOurs()
    {
        var path = Path.Combine(_directory, "ours.pcapng");
        using var writer = new PcapngWriter(File.Create(path));
        var vnic = writer.AddInterface("e1/vm1", "vNIC", LinkType.Ethernet, 65535);
        var uplink = writer.AddInterface("e1/uplink0", "uplink", LinkType.Ethernet, 65535);
        for (var i = 0; i < _frames.Count; i++)
        {
            var captured = i == 2 ? _frames[i].AsSpan(0, 40) : _frames[i];
            writer.WritePacket(i % 2 == 0 ? vnic : uplink, Timestamp + i, captured, _frames[i].Length, i % 2 == 0 ? CaptureDirection.Inbound : CaptureDirection.Outbound);
        }

        return path;
    }
}
