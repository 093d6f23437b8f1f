using Sdn.Common.Packets;

namespace Sdn.Fabric.Edge.Datapath;

/// <summary>
/// A port inside the process: frames are injected with <see cref="Inject"/> and, when
/// <see cref="KeepTransmitted"/> is set, what the switch sends is kept for <see cref="TakeTransmitted"/>.
/// Tests, benchmarks and in-process peers use it; with keeping off it counts and discards, allocating nothing.
/// </summary>
public sealed class InternalPort(uint number, string name, bool keepTransmitted = false) : IFrameListPort
{
    private readonly Queue<byte[]> _inbound = new();
    private readonly Queue<byte[]> _transmitted = new();

    public uint Number { get; } = number;

    public string Name { get; } = name;

    public bool KeepTransmitted { get; } = keepTransmitted;

    /// <summary>How many frames the switch sent through this port.</summary>
    public long TransmittedCount { get; private set; }

    /// <summary>How many of them the switch handed over where they lay in the burst it received them in (<see cref="IFrameListPort"/>).</summary>
    public long TransmittedWhereTheyLay { get; private set; }

    /// <summary>Queues a copy of <paramref name="frame"/> to be received by the switch on its next poll.</summary>
    public void Inject(ReadOnlySpan<byte> frame) => _inbound.Enqueue(frame.ToArray());

    /// <summary>Every frame sent since the last call, oldest first.</summary>
    public IReadOnlyList<byte[]> TakeTransmitted()
    {
        var frames = _transmitted.ToArray();
        _transmitted.Clear();
        return frames;
    }

    public int Receive(PacketBurst burst)
    {
        ArgumentNullException.ThrowIfNull(burst);
        var added = 0;
        while (!burst.IsFull && _inbound.TryDequeue(out var frame))
        {
            if (burst.TryAppend(frame))
            {
                added++;
            }
        }

        return added;
    }

    public int Transmit(PacketBurst burst)
    {
        ArgumentNullException.ThrowIfNull(burst);
        return Keep(burst, burst.NumbersFrom(0));
    }

    public int Transmit(PacketBurst burst, ReadOnlySpan<byte> frames)
    {
        ArgumentNullException.ThrowIfNull(burst);
        TransmittedWhereTheyLay += frames.Length;
        return Keep(burst, frames);
    }

    private int Keep(PacketBurst burst, ReadOnlySpan<byte> frames)
    {
        TransmittedCount += frames.Length;
        if (KeepTransmitted)
        {
            foreach (var frame in frames)
            {
                _transmitted.Enqueue(burst.Frame(frame).ToArray());
            }
        }

        return frames.Length;
    }
}
