namespace Sdn.Fabric.Edge.Conntrack;

/// <summary>How long a tracked connection lives without a packet, by protocol and state; the defaults are Linux's.</summary>
public sealed record ConntrackTimeouts
{
    public static ConntrackTimeouts Default { get; } = new();

    public TimeSpan TcpSynSent { get; init; } = TimeSpan.FromSeconds(120);

    public TimeSpan TcpSynReceived { get; init; } = TimeSpan.FromSeconds(60);

    public TimeSpan TcpEstablished { get; init; } = TimeSpan.FromDays(5);

    public TimeSpan TcpFinWait { get; init; } = TimeSpan.FromSeconds(120);

    public TimeSpan TcpTimeWait { get; init; } = TimeSpan.FromSeconds(120);

    public TimeSpan TcpClosed { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>A UDP pseudo-connection that has seen traffic one way only.</summary>
    public TimeSpan UdpUnreplied { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>A UDP pseudo-connection that has seen traffic both ways.</summary>
    public TimeSpan UdpReplied { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>An ICMP or ICMPv6 echo exchange.</summary>
    public TimeSpan Icmp { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Any other IP protocol, tracked by its addresses alone.</summary>
    public TimeSpan Other { get; init; } = TimeSpan.FromSeconds(600);
}
