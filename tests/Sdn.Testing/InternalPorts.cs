using Sdn.Contracts;
using Sdn.Contracts.Southbound;
using Sdn.Fabric.Edge.Datapath;

namespace Sdn.Testing;

/// <summary>Binds every port of an edge's program to an internal port, which only counts what it is sent: for pushes that measure programming, not traffic.</summary>
public sealed class InternalPorts : IPortBinder<IEdgePort>
{
    public IEdgePort Bind(PortConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new InternalPort(config.Number, config.Name);
    }

    public void Release(IEdgePort port)
    {
    }
}
