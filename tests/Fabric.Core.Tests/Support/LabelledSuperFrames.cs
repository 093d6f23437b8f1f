using Sdn.Common.Packets;
using Sdn.Testing;

namespace Sdn.Fabric.Core.Tests.Support;

/// <summary>TCP super-frames behind a two-label stack, as an edge hands them to its uplink, and bursts that carry one.</summary>
internal static class LabelledSuperFrames
{
    public const int Payload = 60_000;
    public const ushort Mss = 1448;

    public static readonly byte[] Labels = [0x00, 0x10, 0x00, 0x40, 0x00, 0x20, 0x01, 0x40];

    public static (byte[] Frame, FrameOffload Offload) Create(bool ipv6 = false)
    {
        var (frame, offload) = SuperFrames.Tcp(ipv6, Payload, Mss);
        return ([.. Labels, .. frame], offload);
    }

    public static PacketBurst BurstOf(byte[] frame, FrameOffload offload)
    {
        var burst = new PacketBurst(superFrames: true);
        Assert.True(burst.TryAppend(frame, offload));
        return burst;
    }
}
