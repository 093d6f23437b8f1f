namespace Sdn.Fabric.Edge.Conntrack;

/// <summary>What a ct commit made of the connection the last lookup found new.</summary>
public enum CtCommitResult : byte
{
    /// <summary>Added, with its translation if one was asked for; or nothing to add (the packet opens nothing, or its connection is known).</summary>
    Committed,

    /// <summary>The table is full and nothing expired could be reclaimed: the connection was refused.</summary>
    TableFull,

    /// <summary>Every port the translation may pick from is held by another connection to the same address: refused.</summary>
    NatPortsExhausted,

    /// <summary>A translation was asked for a packet NAT cannot rewrite: not IPv4, or not TCP, UDP or ICMP echo. Refused.</summary>
    NatUntranslatable,
}
