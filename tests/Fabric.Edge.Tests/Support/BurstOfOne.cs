using Sdn.Common.Packets;

namespace Sdn.Fabric.Edge.Tests.Support;

/// <summary>Runs one frame through a switch's datapath in a burst the caller reuses, so that a run allocates nothing of its own.</summary>
internal static class BurstOfOne
{
    public static void Run(EdgeSwitch edge, PacketBurst burst, byte[] frame, uint inPort)
    {
        burst.Clear();
        burst.TryAppend(frame);
        edge.Datapath.Process(inPort, burst);
    }
}
