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

    /// <summary>
    /// Frames up to this many bytes may be coalesced into one UDP generic segmentation offload send, which
    /// the kernel cuts into one datagram per frame. Larger frames go one per send, or in chunks when longer than
    /// <see cref="DatagramLimit"/>. The default fits a 1500-byte MTU path (1500 − 20 IPv4 − 8 UDP); 0 turns offload off.
    /// </summary>
    public int MaxOffloadSegmentSize { get; init; } = 1472;

    /// <summary>
    /// The longest frame sent as one datagram; a longer one goes in chunks of this many bytes, so the underlay's IP never
    /// fragments it. Null takes it from the MTU of the route to the peer when the link is made (the MTU less 28 bytes of
    /// IPv4 and UDP headers); it is held within 1,200–65,507 bytes.
    /// </summary>
    public int? DatagramLimit { get; init; }

    /// <summary>
    /// Whether other ends may receive on the same local address and port, as a node's links all do on its underlay
    /// address and port 6635. Each such end joins a SO_REUSEPORT group and connects its receiving socket to the
    /// peer's address, any port, so the kernel hands it only its peer's datagrams, whatever their source port.
    /// Datagrams from strangers then reach no end and are dropped by the kernel rather than counted.
    /// </summary>
    public bool SharesLocalPort { get; init; }

    /// <summary>Kernel buffer size of each socket, enough for a few milliseconds of traffic.</summary>
    public int SocketBufferBytes { get; init; } = 4 << 20;
}
