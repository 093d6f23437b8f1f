namespace Sdn.Fabric.Edge.Datapath;

/// <summary>What crossed one port, and what was lost there; the datapath counts, ports only move frames.</summary>
public sealed class EdgePortCounters
{
    public long RxPackets { get; private set; }

    public long RxBytes { get; private set; }

    public long TxPackets { get; private set; }

    public long TxBytes { get; private set; }

    /// <summary>Received frames the pipeline could not parse; dropped.</summary>
    public long RxMalformed { get; private set; }

    /// <summary>Received frames port security dropped: a source MAC or address the port does not own.</summary>
    public long RxSpoofed { get; private set; }

    /// <summary>Frames the port refused on transmit (its queue or ring was full).</summary>
    public long TxDropped { get; private set; }

    internal void Received(int packets, long bytes)
    {
        RxPackets += packets;
        RxBytes += bytes;
    }

    internal void Malformed() => RxMalformed++;

    internal void Spoofed() => RxSpoofed++;

    internal void Transmitted(int packets, long bytes)
    {
        TxPackets += packets;
        TxBytes += bytes;
    }

    internal void TransmitDropped(int frames) => TxDropped += frames;
}
