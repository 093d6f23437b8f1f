using Sdn.Common.Packets;
using Sdn.Fabric.Edge.Datapath;

namespace Sdn.Cli.Hosting;

/// <summary>
/// The stand-in for a port its edge could not realize (a namespace that exists already, a socket that cannot be
/// bound): it takes nothing in and drops what it is sent, while the rest of the edge runs its program, and it says
/// why it failed.
/// </summary>
internal sealed class UnrealizedPort(uint number, string name, string failure) : IEdgePort
{
    public uint Number { get; } = number;

    public string Name { get; } = name;

    public string Failure { get; } = failure;

    public int Receive(PacketBurst burst) => 0;

    public int Transmit(PacketBurst burst) => 0;
}
