using System.Net;

namespace Sdn.Fabric.Core.Links;

/// <summary>Where an MPLS-in-UDP link endpoint listens and whom it talks to (IPv4).</summary>
/// <param name="Local">Address and port this endpoint receives on, normally port 6635.</param>
/// <param name="Remote">The peer endpoint's address and port. Datagrams from any other address are counted and dropped.</param>
public sealed record MplsInUdpLinkOptions(IPEndPoint Local, IPEndPoint Remote)
{
    /// <summary>
    /// How many UDP source ports, each from its own socket, flows are spread over. The kernel fixes a socket's
    /// source port, so per-flow source ports need a socket each; eight keep batches large and give the
    /// underlay eight ways to spread a link's traffic.
    /// </summary>
    public int SourcePortCount { get; init; } = 8;

    /// <summary>Seed of the flow-entropy hash that picks the source port.</summary>
    public uint EntropySeed { get; init; } = 0x5EED;

    /// <summary>Kernel buffer size of each socket, enough for a few milliseconds of traffic.</summary>
    public int SocketBufferBytes { get; init; } = 4 << 20;
}
