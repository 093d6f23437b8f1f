using System.Net;
using System.Net.Sockets;
using Sdn.Contracts;

namespace Sdn.Fabric.Controller.Model;

public sealed class Networks : ResourceKind<Network>
{
    private const uint DefaultMtu = 1500;
    private const uint MinIPv4Mtu = 576;
    private const uint MinIPv6Mtu = 1280;
    private const uint MaxMtu = 9000;

    public override string Kind => "network";

    public override ObjectTable<Network> Table(ModelState state) => state.Networks;

    public override string NameOf(Network item) => item.Name;

    public override void Admit(Network item, ModelState state)
    {
        ResourceName.Require("tenant", "tenant", item.Tenant, state.Tenants.Contains);

        if (string.IsNullOrEmpty(item.Ipv4Subnet))
        {
            throw ModelException.Invalid("ipv4_subnet is required, such as 10.0.1.0/24", "ipv4_subnet");
        }

        var ipv4 = Subnet.Parse("ipv4_subnet", item.Ipv4Subnet, AddressFamily.InterNetwork);
        item.Ipv4Subnet = ipv4.ToString();
        item.Ipv4Gateway = Gateway(ipv4, "ipv4_gateway", item.Ipv4Gateway);

        if (!string.IsNullOrEmpty(item.Ipv6Subnet))
        {
            var ipv6 = Subnet.Parse("ipv6_subnet", item.Ipv6Subnet, AddressFamily.InterNetworkV6);
            item.Ipv6Subnet = ipv6.ToString();
            item.Ipv6Gateway = Gateway(ipv6, "ipv6_gateway", item.Ipv6Gateway);
        }
        else if (!string.IsNullOrEmpty(item.Ipv6Gateway))
        {
            throw ModelException.Invalid("ipv6_gateway needs an ipv6_subnet", "ipv6_gateway");
        }

        if (!string.IsNullOrEmpty(item.Ipv4DnsServer))
        {
            item.Ipv4DnsServer = IPAddress.TryParse(item.Ipv4DnsServer, out var dns) && dns.AddressFamily == AddressFamily.InterNetwork && !dns.Equals(IPAddress.Any) && !dns.Equals(IPAddress.Broadcast)
                ? dns.ToString()
                : throw ModelException.Invalid($"ipv4_dns_server '{item.Ipv4DnsServer}' is not a unicast IPv4 address, such as 10.0.1.53", "ipv4_dns_server");
        }

        item.Mtu = item.Mtu == 0 ? DefaultMtu : item.Mtu;
        var minMtu = string.IsNullOrEmpty(item.Ipv6Subnet) ? MinIPv4Mtu : MinIPv6Mtu;
        if (item.Mtu is < MinIPv4Mtu or > MaxMtu || item.Mtu < minMtu)
        {
            throw ModelException.Invalid($"mtu {item.Mtu} is out of range: use {minMtu}-{MaxMtu}", "mtu");
        }

        if (state.Externals.Find(state.Tenants.Find(item.Tenant)!.External) is { } external)
        {
            if (Overlaps(item.Ipv4Subnet, external.Ipv4Subnet, AddressFamily.InterNetwork))
            {
                throw ModelException.Precondition($"network '{item.Name}' overlaps {external.Ipv4Subnet} of external network '{external.Name}', which tenant '{item.Tenant}' reaches the outside through; the tenant's subnets must be apart from it", "ipv4_subnet");
            }

            if (!string.IsNullOrEmpty(item.Ipv6Subnet) && string.IsNullOrEmpty(external.Ipv6Subnet))
            {
                throw ModelException.Precondition(Tenants.Ipv6BehindGateway(item.Tenant, item.Name, external.Name), "ipv6_subnet");
            }

            if (Overlaps(item.Ipv6Subnet, external.Ipv6Subnet, AddressFamily.InterNetworkV6))
            {
                throw ModelException.Precondition($"network '{item.Name}' overlaps {external.Ipv6Subnet} of external network '{external.Name}', which tenant '{item.Tenant}' reaches the outside through; the tenant's subnets must be apart from it", "ipv6_subnet");
            }
        }

        foreach (var other in state.NetworksOfTenant.Of(item.Tenant).Values)
        {
            if (Overlaps(item.Ipv4Subnet, other.Ipv4Subnet, AddressFamily.InterNetwork) || Overlaps(item.Ipv6Subnet, other.Ipv6Subnet, AddressFamily.InterNetworkV6))
            {
                throw ModelException.Precondition($"network '{item.Name}' overlaps network '{other.Name}' of tenant '{item.Tenant}'; the subnets of one tenant must be disjoint", "ipv4_subnet");
            }
        }
    }

    public override void CheckUnused(Network item, ModelState state) =>
        RefuseWhileUsed(item, "port(s)", state.PortsOfNetwork.Of(item.Name).Keys);

    public override void Describe(Event change, Network item) => change.Network = item;

    private static string Gateway(Subnet subnet, string field, string given)
    {
        if (string.IsNullOrEmpty(given))
        {
            return subnet.FirstHost.ToString();
        }

        var gateway = Subnet.ParseAddress(field, given, subnet.Family);
        if (!subnet.Contains(gateway) || subnet.IsReserved(gateway))
        {
            throw ModelException.Invalid($"{field} {given} is not a host address of {subnet}", field);
        }

        return gateway.ToString();
    }

    private static bool Overlaps(string subnet, string other, AddressFamily family) =>
        !string.IsNullOrEmpty(subnet) && !string.IsNullOrEmpty(other)
        && Subnet.Parse("subnet", subnet, family).Overlaps(Subnet.Parse("subnet", other, family));
}
