namespace Sdn.Fabric.Edge.Nat;

/// <summary>What <see cref="Ipv4NatRewrite.Apply"/> made of a packet; everything but <see cref="Rewritten"/> leaves the frame untouched.</summary>
public enum NatRewriteResult
{
    Rewritten,

    /// <summary>Not an IPv4 packet, or one too short for the headers its protocol needs.</summary>
    Malformed,

    /// <summary>A later IPv4 fragment, which carries no ports to translate.</summary>
    LaterFragment,

    /// <summary>A protocol other than TCP, UDP and ICMP echo (request or reply), whose ports or identifier NAT cannot map.</summary>
    Unsupported,
}
