namespace Sdn.Fabric.Edge.Pipeline.Groups;

public enum GroupKind
{
    /// <summary>Every bucket gets its own copy of the packet (replication).</summary>
    All,

    /// <summary>One live bucket, chosen by a hash of the 5-tuple so a flow stays on one bucket.</summary>
    Select,

    /// <summary>The first bucket whose watched port is live.</summary>
    FastFailover,
}
