using System.Buffers.Binary;

namespace Sdn.Fabric.Core.Tests.Support;

/// <summary>Reads the frames of a little-endian classic pcap file, as tcpdump -w writes them.</summary>
internal static class ClassicPcap
{
    private const int FileHeaderLength = 24;
    private const int RecordHeaderLength = 16;

    public static IReadOnlyList<byte[]> ReadFrames(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var frames = new List<byte[]>();
        for (var offset = FileHeaderLength; offset + RecordHeaderLength <= bytes.Length;)
        {
            var captured = (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(offset + 8));
            frames.Add(bytes.AsSpan(offset + RecordHeaderLength, captured).ToArray());
            offset += RecordHeaderLength + captured;
        }

        return frames;
    }
}
