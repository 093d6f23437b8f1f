using System.Globalization;
using Sdn.Contracts;

namespace Sdn.Fabric.Controller.Model;

/// <summary>What edges and core nodes share: one name space for all nodes, and an underlay address.</summary>
public static class NodeRules
{
    public static bool Exists(string name, FabricState state) =>
        state.Edges.Any(e => e.Name == name) || state.CoreNodes.Any(c => c.Name == name);

    public static void Admit(string name, string address, FabricState state)
    {
        if (Exists(name, state))
        {
            throw ModelException.Exists($"a node named '{name}' already exists; edges and core nodes share one name space", "name");
        }

        if (!string.IsNullOrEmpty(address) && !IsHostAndPort(address))
        {
            throw ModelException.Invalid($"address '{address}' is not host:port, such as 192.0.2.10:6635", "address");
        }
    }

    public static IEnumerable<string> LinksOf(string node, FabricState state) =>
        state.Links.Where(l => l.A.Node == node || l.B.Node == node).Select(l => l.Name);

    private static bool IsHostAndPort(string address)
    {
        var colon = address.LastIndexOf(':');
        return colon > 0
            && ushort.TryParse(address.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port > 0
            && Uri.CheckHostName(address[..colon].Trim('[', ']')) != UriHostNameType.Unknown;
    }
}
