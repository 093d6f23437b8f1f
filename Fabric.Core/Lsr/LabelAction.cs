namespace Sdn.Fabric.Core.Lsr;

/// <summary>What an LSR does with the top label of a packet that matched an LFIB entry.</summary>
public enum LabelAction
{
    /// <summary>Replace the top label with the next hop's out-label and forward.</summary>
    Swap,

    /// <summary>
    /// Penultimate-hop pop: remove the top label and forward what is below to the next hop, as if the
    /// next hop had advertised implicit null (RFC 3031 §3.16). The next hop's out-label is ignored.
    /// </summary>
    PenultimateHopPop,

    /// <summary>
    /// The LSP ends here: remove the top label and look the exposed label up again in this LFIB
    /// (the tail of a bypass tunnel or of an outer LSP). A core node has no payload handler, so a pop
    /// that exposes the payload is dropped.
    /// </summary>
    Pop,
}
