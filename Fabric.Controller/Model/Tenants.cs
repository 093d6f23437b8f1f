using Google.Protobuf.Collections;
using Sdn.Contracts;

namespace Sdn.Fabric.Controller.Model;

public sealed class Tenants : ResourceKind<Tenant>
{
    public override string Kind => "tenant";

    public override RepeatedField<Tenant> Items(FabricState state) => state.Tenants;

    public override string NameOf(Tenant item) => item.Name;

    public override void CheckUnused(Tenant item, FabricState state)
    {
        RefuseWhileUsed(item, "network(s)", state.Networks.Where(n => n.Tenant == item.Name).Select(n => n.Name));
        RefuseWhileUsed(item, "ACL rule(s)", state.AclRules.Where(r => r.Tenant == item.Name).Select(r => r.Name));
    }

    public override void Describe(Event change, Tenant item) => change.Tenant = item;
}
