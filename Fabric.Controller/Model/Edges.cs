using Sdn.Contracts;

namespace Sdn.Fabric.Controller.Model;

public sealed class Edges : ResourceKind<EdgeNode>
{
    public override string Kind => "edge";

    public override ObjectTable<EdgeNode> Table(ModelState state) => state.Edges;

    public override string NameOf(EdgeNode item) => item.Name;

    public override void Admit(EdgeNode item, ModelState state) => NodeRules.Admit(item.Name, item.Address, state);

    public override void CheckUnused(EdgeNode item, ModelState state)
    {
        RefuseWhileUsed(item, "port(s)", state.PortsOfEdge.Of(item.Name).Keys);
        RefuseWhileUsed(item, "external network(s)", state.ExternalsOfEdge.Of(item.Name).Keys);
        RefuseWhileUsed(item, "link(s)", NodeRules.LinksOf(item.Name, state));
    }

    public override void Describe(Event change, EdgeNode item) => change.Edge = item;
}
