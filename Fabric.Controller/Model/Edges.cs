using Google.Protobuf.Collections;
using Sdn.Contracts;

namespace Sdn.Fabric.Controller.Model;

public sealed class Edges : ResourceKind<EdgeNode>
{
    public override string Kind => "edge";

    public override RepeatedField<EdgeNode> Items(FabricState state) => state.Edges;

    public override string NameOf(EdgeNode item) => item.Name;

    public override void Admit(EdgeNode item, FabricState state) => NodeRules.Admit(item.Name, item.Address, state);

    public override void CheckUnused(EdgeNode item, FabricState state)
    {
        RefuseWhileUsed(item, "port(s)", state.Ports.Where(p => p.Edge == item.Name).Select(p => p.Name));
        RefuseWhileUsed(item, "link(s)", NodeRules.LinksOf(item.Name, state));
    }

    public override void Describe(Event change, EdgeNode item) => change.Edge = item;
}
