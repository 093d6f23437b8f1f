namespace Sdn.Common.Packets;

/// <summary>How a super-frame is to be cut into segments, as the virtio-net header's <c>gso_type</c> says.</summary>
public enum FrameSegmentation : byte
{
    /// <summary>One frame as it is.</summary>
    None = 0,

    /// <summary>TCP over IPv4, each segment with its own IP identification.</summary>
    TcpIpv4 = 1,

    /// <summary>TCP over IPv6.</summary>
    TcpIpv6 = 4,
}
