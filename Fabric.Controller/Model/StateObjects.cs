using Sdn.Contracts;

namespace Sdn.Fabric.Controller.Model;

/// <summary>The objects of a state in an order a model accepts them: each after everything it refers to.</summary>
public static class StateObjects
{
    /// <summary>Nodes, links, external networks, tenants, networks, ACL rules, then ports, each port after the port its VM targets.</summary>
    public static IEnumerable<ModelObject> InCreationOrder(FabricState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return state.Edges.Select(e => ModelObject.Of(ResourceKinds.Edges, e))
            .Concat(state.CoreNodes.Select(c => ModelObject.Of(ResourceKinds.CoreNodes, c)))
            .Concat(state.Links.Select(l => ModelObject.Of(ResourceKinds.Links, l)))
            .Concat(state.Externals.Select(e => ModelObject.Of(ResourceKinds.ExternalNetworks, e)))
            .Concat(state.Tenants.Select(t => ModelObject.Of(ResourceKinds.Tenants, t)))
            .Concat(state.Networks.Select(n => ModelObject.Of(ResourceKinds.Networks, n)))
            .Concat(state.AclRules.Select(r => ModelObject.Of(ResourceKinds.AclRules, r)))
            .Concat(PortsTargetsFirst(state.Ports).Select(p => ModelObject.Of(ResourceKinds.Ports, p)));
    }

    /// <summary>The reverse: what refers to an object is deleted before it.</summary>
    public static IEnumerable<ModelObject> InDeletionOrder(FabricState state) => InCreationOrder(state).Reverse();

    private static List<Port> PortsTargetsFirst(IReadOnlyList<Port> ports)
    {
        var byName = ports.GroupBy(p => p.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var ordered = new List<Port>();
        var placed = new HashSet<Port>(ReferenceEqualityComparer.Instance);
        void Place(Port port)
        {
            if (!placed.Add(port))
            {
                return;
            }

            if (VmApps.TargetPort(port.Vm) is { } target && byName.TryGetValue(target, out var targeted))
            {
                Place(targeted);
            }

            ordered.Add(port);
        }

        foreach (var port in ports)
        {
            Place(port);
        }

        return ordered;
    }
}
