namespace Sdn.Fabric.Edge.Datapath;

/// <summary>Packets, bytes and the time of the last hit, bumped by the datapath for the entry that owns them.</summary>
public sealed class EntryCounters
{
    public long Packets { get; private set; }

    public long Bytes { get; private set; }

    /// <summary>The <see cref="TimeProvider.GetTimestamp"/> of the last packet; zero when none was counted.</summary>
    public long LastHitTimestamp { get; private set; }

    public void Count(int bytes, long timestamp) => Count(1, bytes, timestamp);

    /// <summary>Counts a run of <paramref name="packets"/> that arrived together at <paramref name="timestamp"/>.</summary>
    public void Count(int packets, long bytes, long timestamp)
    {
        Packets += packets;
        Bytes += bytes;
        LastHitTimestamp = timestamp;
    }

    public void Reset() => CopyFrom(new EntryCounters());

    /// <summary>Takes over <paramref name="other"/>'s figures (a replaced entry keeps its history).</summary>
    public void CopyFrom(EntryCounters other)
    {
        Packets = other.Packets;
        Bytes = other.Bytes;
        LastHitTimestamp = other.LastHitTimestamp;
    }
}
