using Google.Protobuf.Collections;
using Sdn.Contracts;

namespace Sdn.Fabric.Controller.Model;

/// <summary>Point-to-point links between two different nodes; parallel links are allowed (they make ECMP).</summary>
public sealed class Links : ResourceKind<Link>
{
    private const uint DefaultCost = 1;
    private const uint MaxCost = 65535;

    public override string Kind => "link";

    public override RepeatedField<Link> Items(FabricState state) => state.Links;

    public override string NameOf(Link item) => item.Name;

    public override void Admit(Link item, FabricState state)
    {
        item.A = Endpoint("a", item.A, item.Name, state);
        item.B = Endpoint("b", item.B, item.Name, state);
        if (item.A.Node == item.B.Node)
        {
            throw ModelException.Invalid($"link '{item.Name}' joins node '{item.A.Node}' to itself; a link joins two different nodes");
        }

        item.Cost = item.Cost == 0 ? DefaultCost : item.Cost;
        if (item.Cost > MaxCost)
        {
            throw ModelException.Invalid($"cost {item.Cost} is out of range: use 1-{MaxCost}");
        }
    }

    public override void Describe(Event change, Link item) => change.Link = item;

    private static LinkEndpoint Endpoint(string field, LinkEndpoint? endpoint, string linkName, FabricState state)
    {
        if (endpoint is null || string.IsNullOrEmpty(endpoint.Node))
        {
            throw ModelException.Invalid($"{field}.node is required");
        }

        if (!NodeRules.Exists(endpoint.Node, state))
        {
            throw ModelException.NotFound("node", endpoint.Node);
        }

        var result = new LinkEndpoint { Node = endpoint.Node, Interface = string.IsNullOrEmpty(endpoint.Interface) ? linkName : endpoint.Interface };
        ResourceName.Validate("interface", result.Interface);
        var clash = state.Links.FirstOrDefault(l => l.A.Equals(result) || l.B.Equals(result));
        return clash is null
            ? result
            : throw ModelException.Exists($"interface '{result.Interface}' of node '{result.Node}' is already used by link '{clash.Name}'");
    }
}
