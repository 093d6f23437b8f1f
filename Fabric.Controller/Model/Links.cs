using Sdn.Contracts;

namespace Sdn.Fabric.Controller.Model;

/// <summary>
/// Point-to-point links between two different nodes, an edge and a core node or two core nodes; parallel links are
/// allowed (they make ECMP). A link's kind and impairment say how its ends are realized.
/// </summary>
public sealed class Links : ResourceKind<Link>
{
    private const uint DefaultCost = 1;
    private const uint MaxCost = 65535;
    private const uint MaxDelayMs = 10_000;

    public override string Kind => "link";

    public override ObjectTable<Link> Table(ModelState state) => state.Links;

    public override string NameOf(Link item) => item.Name;

    public override void Admit(Link item, ModelState state)
    {
        item.A = Endpoint("a", item.A, item.Name, state);
        item.B = Endpoint("b", item.B, item.Name, state);
        if (item.A.Node == item.B.Node)
        {
            throw ModelException.Invalid($"link '{item.Name}' joins node '{item.A.Node}' to itself; a link joins two different nodes", "b.node");
        }

        if (state.Edges.Contains(item.A.Node) && state.Edges.Contains(item.B.Node))
        {
            throw ModelException.Invalid(
                $"link '{item.Name}' joins two edges, '{item.A.Node}' and '{item.B.Node}'; a link joins an edge to a core node, or two core nodes", "b.node");
        }

        item.Cost = item.Cost == 0 ? DefaultCost : item.Cost;
        if (item.Cost > MaxCost)
        {
            throw ModelException.Invalid($"cost {item.Cost} is out of range: use 1-{MaxCost}", "cost");
        }

        if (!Enum.IsDefined(item.Kind))
        {
            throw ModelException.Invalid($"kind {(int)item.Kind} is not a link kind: use MEMORY or UDP, or leave it out", "kind");
        }

        if (item.Impairment is { } impairment)
        {
            AdmitImpairment(impairment);
        }
    }

    private static void AdmitImpairment(Impairment impairment)
    {
        if (impairment.Loss is < 0 or > 1 || double.IsNaN(impairment.Loss))
        {
            throw ModelException.Invalid($"impairment.loss {impairment.Loss} is out of range: give a fraction from 0 to 1", "impairment.loss");
        }

        if (impairment.Reorder is < 0 or > 1 || double.IsNaN(impairment.Reorder))
        {
            throw ModelException.Invalid($"impairment.reorder {impairment.Reorder} is out of range: give a fraction from 0 to 1", "impairment.reorder");
        }

        if (impairment.DelayMs > MaxDelayMs)
        {
            throw ModelException.Invalid($"impairment.delay_ms {impairment.DelayMs} is out of range: use 0-{MaxDelayMs}", "impairment.delay_ms");
        }
    }

    public override void Describe(Event change, Link item) => change.Link = item;

    private static LinkEndpoint Endpoint(string field, LinkEndpoint? endpoint, string linkName, ModelState state)
    {
        if (endpoint is null || string.IsNullOrEmpty(endpoint.Node))
        {
            throw ModelException.Invalid($"{field}.node is required", $"{field}.node");
        }

        if (!state.HasNode(endpoint.Node))
        {
            throw ModelException.NotFound("node", endpoint.Node, $"{field}.node");
        }

        var result = new LinkEndpoint { Node = endpoint.Node, Interface = string.IsNullOrEmpty(endpoint.Interface) ? linkName : endpoint.Interface };
        ResourceName.Validate("interface", result.Interface);
        var clash = state.LinksByInterface.Of(result.Node).GetValueOrDefault(result.Interface);
        return clash is null
            ? result
            : throw ModelException.Exists($"interface '{result.Interface}' of node '{result.Node}' is already used by link '{clash.Name}'", $"{field}.interface");
    }
}
