namespace Sdn.Contracts.Southbound;

/// <summary>
/// How a node's programmer gets the devices its program's ports name: its host realizes each port config (boots a
/// VM, makes a namespace, opens a link end) as the port is added, and takes it down again when the port goes.
/// </summary>
/// <typeparam name="TPort">What the node binds: an edge port, or a core node's link end.</typeparam>
public interface IPortBinder<TPort>
{
    /// <summary>Realizes <paramref name="config"/>.</summary>
    /// <exception cref="ProgramException">It cannot be realized here; nothing was left behind.</exception>
    TPort Bind(PortConfig config);

    /// <summary>Takes down what <see cref="Bind"/> made, once the port is out of the node.</summary>
    void Release(TPort port);
}
