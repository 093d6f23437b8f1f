using System.Runtime.CompilerServices;
using Sdn.Common.Packets;

namespace Sdn.Fabric.Core.Lsr;

/// <summary>
/// Which frames of a forwarded burst leave by which port, in arrival order: the LSR rewrites frames in place
/// and lists them here, and the node hands each port's list to that port's link, so no frame is copied
/// between forwarding and sending.
/// </summary>
public sealed class EgressPlan
{
    private readonly byte[][] _frames;
    private readonly int[] _counts;

    public EgressPlan(int ports)
    {
        _frames = new byte[ports][];
        for (var port = 0; port < ports; port++)
        {
            _frames[port] = new byte[PacketBurst.Capacity];
        }

        _counts = new int[ports];
    }

    public int Ports => _counts.Length;

    /// <summary>The numbers of the frames that leave by <paramref name="port"/>.</summary>
    public ReadOnlySpan<byte> Frames(int port) => _frames[port].AsSpan(0, _counts[port]);

    public void Clear() => Array.Clear(_counts);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void Add(int port, int frame) => _frames[port][_counts[port]++] = (byte)frame;
}
