namespace Sdn.Fabric.Edge.Conntrack;

/// <summary>One slot of the tracker's preallocated table: a connection, by the tuple of the packet that opened it.</summary>
internal struct TrackedConnection
{
    public ConnectionTuple Original;

    /// <summary>The timestamp (of the tracker's clock) at which the connection expires unless another packet comes.</summary>
    public long ExpiresAt;

    public TcpConnectionState Tcp;

    /// <summary>Whether a packet has gone the reply way.</summary>
    public bool ReplySeen;

    /// <summary>Which ways a FIN has gone: bit 0 the original, bit 1 the reply.</summary>
    public byte FinSeen;

    public bool InUse;

    /// <summary>The next index node in the hash chain of the original tuple (node 2c), and of the reply tuple (node 2c+1).</summary>
    public int NextOfOriginal;

    public int NextOfReply;
}
