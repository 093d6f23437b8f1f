using Sdn.Contracts;
using Sdn.Contracts.Southbound;
using Sdn.Fabric.Core.Links;

namespace Sdn.Cli.Hosting;

/// <summary>Realizes the link ends of one core node's program, from the link ends this process hosts.</summary>
internal sealed class CoreLinks(string node, LinkEnds links) : IPortBinder<LinkEnd>
{
    private readonly Lock _gate = new();
    private readonly Dictionary<LinkEnd, string> _linkOf = new(ReferenceEqualityComparer.Instance);

    public LinkEnd Bind(PortConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var end = links.Create(node, config);
        lock (_gate)
        {
            _linkOf[end] = config.Link.Link;
        }

        return end;
    }

    public void Release(LinkEnd port)
    {
        string? link;
        lock (_gate)
        {
            _linkOf.Remove(port, out link);
        }

        links.Release(node, link ?? port.Name, port);
    }
}
