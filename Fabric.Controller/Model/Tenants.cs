using Sdn.Contracts;

namespace Sdn.Fabric.Controller.Model;

/// <summary>Tenants: each is a conntrack zone of its own, numbered below the external networks' zones.</summary>
public sealed class Tenants : ResourceKind<Tenant>
{
    /// <summary>
    /// A tenant's number is its conntrack zone, 1 to 65279: the 16-bit zone space less zone 0 and the
    /// <see cref="ExternalNetworks.MaxExternalNetworks"/> zones at its top that the external networks hold.
    /// </summary>
    public const int MaxTenants = ushort.MaxValue - ExternalNetworks.MaxExternalNetworks;

    public override string Kind => "tenant";

    public override ObjectTable<Tenant> Table(ModelState state) => state.Tenants;

    public override string NameOf(Tenant item) => item.Name;

    public override void Admit(Tenant item, ModelState state)
    {
        if (!state.Tenants.Contains(item.Name) && state.Tenants.Count >= MaxTenants)
        {
            throw ModelException.Precondition(
                $"tenant '{item.Name}' would be one too many: the fabric holds at most {MaxTenants} tenants (each has a conntrack zone of its own, 1-{MaxTenants}, below the external networks' zones); delete one first");
        }

        if (item.External.Length > 0)
        {
            ResourceName.Require("external network", "external", item.External, state.Externals.Contains);
            if (state.NetworksOfTenant.Of(item.Name).Values.FirstOrDefault(n => !string.IsNullOrEmpty(n.Ipv6Subnet)) is { } dualStack)
            {
                throw ModelException.Precondition(Ipv6BehindGateway(item.Name, dualStack.Name, item.External), "external");
            }
        }
    }

    /// <summary>Why a tenant behind a gateway may have no IPv6 network: only IPv4 crosses it, and IPv6 to the outside would be dropped unseen.</summary>
    internal static string Ipv6BehindGateway(string tenant, string network, string external) =>
        $"network '{network}' of tenant '{tenant}' has an IPv6 subnet, but only IPv4 crosses the gateway of external network '{external}', "
        + "which the tenant reaches the outside through: its IPv6 traffic to the outside would be dropped; drop the ipv6_subnet, or the tenant's external";

    public override void CheckUnused(Tenant item, ModelState state)
    {
        RefuseWhileUsed(item, "network(s)", state.NetworksOfTenant.Of(item.Name).Keys);
        RefuseWhileUsed(item, "ACL rule(s)", state.RulesOfTenant.Of(item.Name).Keys);
    }

    public override void Describe(Event change, Tenant item) => change.Tenant = item;
}
