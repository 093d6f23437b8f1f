using System.Net;
using System.Net.Sockets;
using Sdn.Contracts;

namespace Sdn.Fabric.Controller.Model;

/// <summary>What edges and core nodes share: one name space for all nodes, and an underlay address.</summary>
public static class NodeRules
{
    public static void Admit(string name, string address, ModelState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.HasNode(name))
        {
            throw ModelException.Exists($"a node named '{name}' already exists; edges and core nodes share one name space", "name");
        }

        CheckAddress(address);
    }

    /// <summary>An underlay address is empty (the node runs with the controller) or an IPv4 address and port.</summary>
    public static void CheckAddress(string address)
    {
        if (!string.IsNullOrEmpty(address) && ParseAddress(address) is null)
        {
            throw ModelException.Invalid($"address '{address}' is not an IPv4 address and port, such as 192.0.2.10:6635", "address");
        }
    }

    /// <summary>The endpoint of an underlay address, or null when it is not an IPv4 address and a port other than 0.</summary>
    public static IPEndPoint? ParseAddress(string address) =>
        IPEndPoint.TryParse(address, out var endPoint) && endPoint.AddressFamily == AddressFamily.InterNetwork && endPoint.Port > 0
            ? endPoint
            : null;

    /// <summary>The underlay address of a node of the state; empty when the node runs with the controller.</summary>
    public static string AddressOf(string node, FabricState state) =>
        state.Edges.FirstOrDefault(e => e.Name == node)?.Address ?? state.CoreNodes.FirstOrDefault(c => c.Name == node)?.Address ?? string.Empty;

    public static IEnumerable<string> LinksOf(string node, ModelState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return state.LinksOfNode.Of(node).Keys;
    }
}
