using Sdn.Contracts;
using Sdn.Contracts.Southbound;
using Sdn.Fabric.Core.Links;

namespace Sdn.Testing;

/// <summary>Binds each link end a core node's program names to one end of a fresh in-memory pair, with nobody at the other end.</summary>
public sealed class UnpairedLinks : IPortBinder<LinkEnd>
{
    public LinkEnd Bind(PortConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return InMemoryLink.CreatePair(config.Name, config.Name + "-peer").A;
    }

    public void Release(LinkEnd port) => port?.Dispose();
}
