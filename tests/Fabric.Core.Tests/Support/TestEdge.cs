using System.Buffers.Binary;
using System.Diagnostics;
using Sdn.Common.Packets;
using Sdn.Fabric.Core.Links;

namespace Sdn.Fabric.Core.Tests.Support;

/// <summary>
/// A minimal edge for core tests, driven by the test thread through <see cref="PollOnce"/> (so it runs no
/// liveness: the test thread's sleeps and asserts must not be able to flap a link): it pushes a label
/// stack onto payloads and sends them up an uplink; on receive it pops its own transport label (when the core
/// did not pop it already) and records the service label and payload of every frame that reaches it.
/// </summary>
internal sealed class TestEdge : IDisposable
{
    private readonly List<Uplink> _uplinks = [];
    private readonly PacketBurst _receive = new();

    public TestEdge(string name, uint transportLabel)
    {
        Name = name;
        TransportLabel = transportLabel;
    }

    public string Name { get; }

    public uint TransportLabel { get; }

    public List<Delivery> Delivered { get; } = [];

    /// <summary>Frames that arrived with a stack this edge cannot terminate.</summary>
    public int Rejected { get; private set; }

    public int AddUplink(LinkEnd link)
    {
        _uplinks.Add(new Uplink(link, new PacketBurst()));
        return _uplinks.Count - 1;
    }

    public LinkEnd LinkOf(int uplink) => _uplinks[uplink].Link;

    /// <summary>Queues a frame for <paramref name="uplink"/>; it leaves at the next poll, or now if the burst filled.</summary>
    public void Send(int uplink, ReadOnlySpan<uint> labels, ReadOnlySpan<byte> payload, byte ttl = 64)
    {
        var pending = _uplinks[uplink].Pending;
        var frame = pending.Append((labels.Length * 4) + payload.Length);
        MplsFrames.Write(frame, labels, payload, ttl);
        if (pending.IsFull)
        {
            Flush(_uplinks[uplink]);
        }
    }

    /// <summary>Sends queued frames and takes in what arrived. Returns frames received.</summary>
    public int PollOnce()
    {
        var now = Stopwatch.GetTimestamp();
        var received = 0;
        for (var u = 0; u < _uplinks.Count; u++)
        {
            var uplink = _uplinks[u];
            Flush(uplink);
            _receive.Clear();
            received += uplink.Link.Receive(_receive, now);
            for (var i = 0; i < _receive.Count; i++)
            {
                Terminate(u, _receive.Frame(i));
            }
        }

        return received;
    }

    public void Dispose()
    {
        foreach (var uplink in _uplinks)
        {
            uplink.Link.Dispose();
        }
    }

    private static void Flush(Uplink uplink)
    {
        uplink.Link.Send(uplink.Pending);
        uplink.Pending.Clear();
    }

    private void Terminate(int uplink, ReadOnlySpan<byte> frame)
    {
        if (frame.Length >= 4 && BinaryPrimitives.ReadUInt32BigEndian(frame) >> 12 == TransportLabel && (frame[2] & 1) == 0)
        {
            frame = frame[4..];
        }

        if (!MplsLabelStackEntry.TryRead(frame, out var service) || !service.BottomOfStack)
        {
            Rejected++;
            return;
        }

        Delivered.Add(new Delivery(uplink, service.Label, service.Ttl, frame[4..].ToArray(), Stopwatch.GetTimestamp()));
    }

    /// <param name="Timestamp">When it was received, in Stopwatch ticks.</param>
    public sealed record Delivery(int Uplink, uint ServiceLabel, byte Ttl, byte[] Payload, long Timestamp);

    private sealed record Uplink(LinkEnd Link, PacketBurst Pending);
}
