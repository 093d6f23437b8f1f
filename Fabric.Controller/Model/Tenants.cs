using Sdn.Contracts;

namespace Sdn.Fabric.Controller.Model;

public sealed class Tenants : ResourceKind<Tenant>
{
    public override string Kind => "tenant";

    public override ObjectTable<Tenant> Table(ModelState state) => state.Tenants;

    public override string NameOf(Tenant item) => item.Name;

    public override void Admit(Tenant item, ModelState state)
    {
        if (item.External.Length > 0)
        {
            ResourceName.Require("external network", "external", item.External, state.Externals.Contains);
        }
    }

    public override void CheckUnused(Tenant item, ModelState state)
    {
        RefuseWhileUsed(item, "network(s)", state.NetworksOfTenant.Of(item.Name).Keys);
        RefuseWhileUsed(item, "ACL rule(s)", state.RulesOfTenant.Of(item.Name).Keys);
    }

    public override void Describe(Event change, Tenant item) => change.Tenant = item;
}
