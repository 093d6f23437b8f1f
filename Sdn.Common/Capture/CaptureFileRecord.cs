namespace Sdn.Common.Capture;

/// <summary>One packet read back from a pcapng or pcap file.</summary>
/// <param name="Interface">The name of the port or interface it was captured on, or "" when the file does not say.</param>
/// <param name="Bytes">The captured bytes, at most the snap length.</param>
/// <param name="OriginalLength">The frame's length on the wire.</param>
public sealed record CaptureFileRecord(
    string Interface,
    LinkType LinkType,
    long TimestampNanoseconds,
    byte[] Bytes,
    int OriginalLength,
    CaptureDirection Direction);
