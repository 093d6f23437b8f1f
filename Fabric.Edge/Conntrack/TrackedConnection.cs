namespace Sdn.Fabric.Edge.Conntrack;

/// <summary>One slot of the tracker's preallocated table: a connection, by the tuples its packets carry each way.</summary>
/// <remarks>
/// What a lookup of the original way reads (its tuple, the lifetime, the chain links and the state) comes first, so it
/// shares cache lines as before translations had a place; the reply tuple, read by the reply way, comes last. The
/// expiry is the tracker's, in an array of its own.
/// </remarks>
internal struct TrackedConnection
{
    /// <summary>The tuple of the packet that opened the connection, as it reached the ct action.</summary>
    public ConnectionTuple Original;

    /// <summary>
    /// How long (in the tracker's clock's ticks) the connection lives past its last packet, as its protocol and state
    /// say: kept as the state changes, so a packet that changes nothing only stores its expiry.
    /// </summary>
    public long Lifetime;

    /// <summary>The next index node in the hash chain of the original tuple (node 2c), and of the reply tuple (node 2c+1).</summary>
    public int NextOfOriginal;

    public int NextOfReply;

    public TcpConnectionState Tcp;

    /// <summary>Whether a packet has gone the reply way.</summary>
    public bool ReplySeen;

    /// <summary>Which ways a FIN has gone: bit 0 the original, bit 1 the reply.</summary>
    public byte FinSeen;

    /// <summary>Whether <see cref="Reply"/> is other than <see cref="Original"/> reversed: a NAT rewrites the connection's packets.</summary>
    public bool IsTranslated;

    public ushort NatPort;

    /// <summary>The NAT port pool the connection holds <see cref="NatPort"/> of, or -1 when it holds none.</summary>
    public int NatPool;

    /// <summary>
    /// The tuple the reply way's packets carry when they reach the ct action: <see cref="Original"/> reversed, or, for a
    /// translated connection, the reverse of the original as NAT rewrote it.
    /// </summary>
    public ConnectionTuple Reply;
}
