namespace Sdn.Fabric.Edge.Datapath;

/// <summary>What <see cref="NeighbourFrames.TryRead"/> found.</summary>
public enum NeighbourReadResult
{
    Valid,

    /// <summary>Not an IPv6 neighbour solicitation or advertisement at all.</summary>
    NotNeighbourDiscovery,

    /// <summary>A solicitation or advertisement RFC 4861 §7.1 says to discard.</summary>
    Invalid,
}
