namespace Sdn.Fabric.Controller.Southbound;

/// <summary>What an <see cref="AgentSession"/> made of one message of its agent.</summary>
public enum AgentReceipt
{
    /// <summary>A report, or anything else that needs nothing more.</summary>
    Taken,

    /// <summary>An ack: the node applied one of this session's batches.</summary>
    Applied,

    /// <summary>An ack: the node refused one of this session's batches, and runs its previous program.</summary>
    Refused,

    /// <summary>An ack of a batch this session never sent, which is ignored.</summary>
    Stale,
}
