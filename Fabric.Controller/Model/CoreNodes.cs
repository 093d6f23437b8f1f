using Sdn.Contracts;

namespace Sdn.Fabric.Controller.Model;

public sealed class CoreNodes : ResourceKind<CoreNode>
{
    public override string Kind => "core node";

    public override ObjectTable<CoreNode> Table(ModelState state) => state.CoreNodes;

    public override string NameOf(CoreNode item) => item.Name;

    public override void Admit(CoreNode item, ModelState state) => NodeRules.Admit(item.Name, item.Address, state);

    public override void CheckUnused(CoreNode item, ModelState state) =>
        RefuseWhileUsed(item, "link(s)", NodeRules.LinksOf(item.Name, state));

    public override void Describe(Event change, CoreNode item) => change.CoreNode = item;
}
