using Sdn.Common.Packets;
using Sdn.Fabric.Edge.Datapath;

namespace Sdn.Testing;

/// <summary>
/// A device that works until <see cref="Failing"/> is set, then throws <see cref="ObjectDisposedException"/> from
/// what the agent reads of it outside the data path, as an object whose device went away does: its
/// <see cref="Number"/> (which a capture, mirror or ping looks up) and its <see cref="Name"/> (which a hello
/// describes). The data path reads neither after the port is added, so the switch keeps forwarding. It receives
/// nothing and takes whatever it is sent.
/// </summary>
public sealed class FailingPort(uint number, string name) : IEdgePort
{
    private volatile bool _failing;

    public bool Failing
    {
        get => _failing;
        set => _failing = value;
    }

    public uint Number => _failing ? throw Gone() : number;

    public string Name => _failing ? throw Gone() : name;

    public int Receive(PacketBurst burst) => 0;

    public int Transmit(PacketBurst burst)
    {
        ArgumentNullException.ThrowIfNull(burst);
        return burst.Count;
    }

    private ObjectDisposedException Gone() => new(objectName: null, $"the device of port {name} went away");
}
