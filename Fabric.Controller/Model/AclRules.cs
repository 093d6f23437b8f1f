using System.Net.Sockets;
using Sdn.Contracts;

namespace Sdn.Fabric.Controller.Model;

/// <summary>5-tuple rules of one tenant, stateless or stateful; see <see cref="AclRule"/> for how they combine.</summary>
public sealed class AclRules : ResourceKind<AclRule>
{
    private const uint MaxPriority = 65535;
    private const uint Tcp = 6;
    private const uint Udp = 17;

    public override string Kind => "ACL rule";

    public override ObjectTable<AclRule> Table(ModelState state) => state.AclRules;

    public override string NameOf(AclRule item) => item.Name;

    public override void Admit(AclRule item, ModelState state)
    {
        ResourceName.Require("tenant", "tenant", item.Tenant, state.Tenants.Contains);

        if (item.Priority > MaxPriority)
        {
            throw ModelException.Invalid($"priority {item.Priority} is out of range: use 0-{MaxPriority}", "priority");
        }

        if (item.Action is not (AclAction.Allow or AclAction.Deny))
        {
            throw ModelException.Invalid("action is required: ALLOW or DENY", "action");
        }

        item.SrcCidr = Cidr("src_cidr", item.SrcCidr);
        item.DstCidr = Cidr("dst_cidr", item.DstCidr);
        if (item.SrcCidr.Length > 0 && item.DstCidr.Length > 0 && IsIPv6(item.SrcCidr) != IsIPv6(item.DstCidr))
        {
            throw ModelException.Invalid("src_cidr and dst_cidr mix IPv4 and IPv6; no packet can match both", "dst_cidr");
        }

        if (item.Protocol > 255)
        {
            throw ModelException.Invalid($"protocol {item.Protocol} is not an IP protocol number (0-255, 0 = any)", "protocol");
        }

        CheckTracking(item, state);
        CheckPorts("src_ports", item.SrcPorts, item.Protocol);
        CheckPorts("dst_ports", item.DstPorts, item.Protocol);

        var twin = state.RulesOfTenant.Of(item.Tenant).Values.FirstOrDefault(r => r.Priority == item.Priority && SameMatch(r, item));
        if (twin is not null)
        {
            throw ModelException.Exists($"ACL rule '{twin.Name}' of tenant '{item.Tenant}' already has priority {item.Priority} and the same match; change the priority or the match", "priority");
        }
    }

    public override void Describe(Event change, AclRule item) => change.AclRule = item;

    private static bool IsIPv6(string cidr) => cidr.Contains(':', StringComparison.Ordinal);

    /// <summary>The canonical form of a match CIDR, so equal matches compare equal; empty stays empty (any).</summary>
    private static string Cidr(string field, string text) =>
        string.IsNullOrEmpty(text)
            ? string.Empty
            : Subnet.ParseMatch(field, text, IsIPv6(text) ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork).ToString();

    /// <summary>
    /// A tenant with a stateful rule has its connection tracking entries at the top priority, in front of its rules:
    /// no rule of such a tenant may have that priority, or it would tie with them.
    /// </summary>
    private static void CheckTracking(AclRule item, ModelState state)
    {
        var others = state.RulesOfTenant.Of(item.Tenant).Values.Where(r => r.Name != item.Name).ToList();
        if (item.Priority == MaxPriority && (item.Stateful || others.Any(r => r.Stateful)))
        {
            throw ModelException.Invalid($"priority {MaxPriority} is kept for connection tracking in a tenant with stateful rules: use 0-{MaxPriority - 1}", "priority");
        }

        if (item.Stateful && others.FirstOrDefault(r => r.Priority == MaxPriority) is { } top)
        {
            throw ModelException.Invalid($"ACL rule '{top.Name}' of tenant '{item.Tenant}' has priority {MaxPriority}, which a tenant with stateful rules keeps for connection tracking; lower it first", "stateful");
        }
    }

    private static void CheckPorts(string field, PortRange? range, uint protocol)
    {
        if (range is null || (range.First == 0 && range.Last == 0))
        {
            return;
        }

        if (protocol is not (Tcp or Udp))
        {
            throw ModelException.Invalid($"{field} applies only to TCP (6) and UDP (17), not protocol {protocol}", field);
        }

        if (range.First > range.Last || range.Last > ushort.MaxValue)
        {
            throw ModelException.Invalid($"{field} {range.First}-{range.Last} is not a port range: first <= last <= 65535", field);
        }
    }

    private static bool SameMatch(AclRule a, AclRule b) =>
        a.Stateful == b.Stateful && a.SrcCidr == b.SrcCidr && a.DstCidr == b.DstCidr && a.Protocol == b.Protocol
        && Equals(a.SrcPorts ?? new PortRange(), b.SrcPorts ?? new PortRange())
        && Equals(a.DstPorts ?? new PortRange(), b.DstPorts ?? new PortRange());
}
