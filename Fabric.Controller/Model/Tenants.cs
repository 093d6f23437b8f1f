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
            var external = state.Externals.Find(item.External)!;
            if (string.IsNullOrEmpty(external.Ipv6Subnet)
                && state.NetworksOfTenant.Of(item.Name).Values.FirstOrDefault(n => !string.IsNullOrEmpty(n.Ipv6Subnet)) is { } dualStack)
            {
                throw ModelException.Precondition(Ipv6BehindGateway(item.Name, dualStack.Name, item.External), "external");
            }
        }
    }

    /// <summary>
    /// Why a tenant behind a gateway without an IPv6 side may have no IPv6 network: only IPv4 crosses that gateway, and
    /// IPv6 to the outside would be dropped unseen.
    /// </summary>
    internal static string Ipv6BehindGateway(string tenant, string network, string external) =>
        $"network '{network}' of tenant '{tenant}' has an IPv6 subnet, but external network '{external}', which the tenant reaches the outside through, "
        + "has no IPv6 side, so only IPv4 crosses its gateway and the network's IPv6 traffic to the outside would be dropped; "
        + "give the external network an ipv6_subnet and ipv6_address (ipv6-subnet and ipv6-gateway-ip in a topology file), or drop the network's ipv6_subnet, or the tenant's external";

    public override void CheckUnused(Tenant item, ModelState state)
    {
        RefuseWhileUsed(item, "network(s)", state.NetworksOfTenant.Of(item.Name).Keys);
        RefuseWhileUsed(item, "ACL rule(s)", state.RulesOfTenant.Of(item.Name).Keys);
    }

    public override void Describe(Event change, Tenant item) => change.Tenant = item;
}
