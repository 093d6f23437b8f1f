namespace Sdn.Fabric.Edge.Conntrack;

/// <summary>Where a tracked TCP connection is in its life; each state has its own timeout (<see cref="ConntrackTimeouts"/>).</summary>
public enum TcpConnectionState : byte
{
    /// <summary>The opening SYN passed; no SYN-ACK yet.</summary>
    SynSent,

    /// <summary>The SYN-ACK came back; the handshake's last ACK has not.</summary>
    SynReceived,

    Established,

    /// <summary>One side sent FIN.</summary>
    FinWait,

    /// <summary>Both sides sent FIN.</summary>
    TimeWait,

    /// <summary>A RST ended it.</summary>
    Closed,
}
