using Sdn.Common.Capture;

namespace Sdn.Testing;

/// <summary>Decodes many frames with one tshark run, so the independent-decoder tests stay fast.</summary>
public static class Tshark
{
    /// <summary>One dictionary per frame, from field name to tshark's value (occurrences joined with commas).</summary>
    public static List<Dictionary<string, string>> Decode(IEnumerable<byte[]> frames, IReadOnlyList<string> fields)
    {
        var path = Path.Combine(Path.GetTempPath(), $"sdn-packets-{Guid.NewGuid():N}.pcapng");
        try
        {
            using (var writer = new PcapngWriter(File.Create(path)))
            {
                var port = writer.AddInterface("frames", "frames under test", LinkType.Ethernet, 65535);
                foreach (var frame in frames)
                {
                    writer.WritePacket(port, 0, frame, frame.Length, CaptureDirection.Unknown);
                }
            }

            string[] options =
            [
                "-r", path, "-n", "-T", "fields", "-E", "separator=/t", "-E", "occurrence=a", "-E", "aggregator=,",
                // Decode what is there: verify checksums, and show fragments as they are instead of reassembling them.
                "-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE",
                "-o", "ip.defragment:FALSE", "-o", "ipv6.defragment:FALSE",
            ];
            var output = ExternalTool.Run("tshark", "tshark", [.. options, .. fields.SelectMany(f => new[] { "-e", f })]);
            return output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(line => line.TrimEnd('\r').Split('\t'))
                .Select(values => fields.Select((field, i) => (field, value: i < values.Length ? values[i] : ""))
                    .ToDictionary(p => p.field, p => p.value))
                .ToList();
        }
        finally
        {
            File.Delete(path);
        }
    }
}
