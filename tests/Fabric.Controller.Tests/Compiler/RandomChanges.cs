using System.Globalization;
using Sdn.Contracts;
using Sdn.Fabric.Controller.Model;

namespace Sdn.Fabric.Controller.Tests.Compiler;

/// <summary>
/// Random creates, deletes and updates of every kind of object, made through the model's public API from a few
/// names each, so that objects come and go, refer to each other, and collide (ACL rules whose port ranges cover to
/// the same entries). A change the model refuses is part of the game: it must change nothing.
/// </summary>
public sealed class RandomChanges(FabricModel model, int seed)
{
    private static readonly string[] Ranges = ["80-81", "78-81", "80-83", "76-83", string.Empty];
    private readonly Random _random = new(seed);

    /// <summary>Tries one random change and says what it tried.</summary>
    public string Next()
    {
        var roll = _random.Next(100);
        var what = roll switch
        {
            < 40 => Port(),
            < 50 => Network(),
            < 55 => Tenant(),
            < 68 => Rule(),
            < 77 => Link(),
            < 82 => Node(),
            < 90 => LinkState(),
            < 95 => External(),
            _ => Address(),
        };
        return what;
    }

    private string Pick(string prefix, int count) => prefix + _random.Next(count).ToString(CultureInfo.InvariantCulture);

    private bool Coin() => _random.Next(2) == 0;

    private string Tenant()
    {
        var name = Pick("t", 3);
        // x0 and x1 come and go, so a tenant naming one is sometimes refused.
        var external = _random.Next(4) switch { 0 => string.Empty, 1 => "x1", _ => "x0" };
        return Coin()
            ? Try($"create tenant {name} out through '{external}'", () => model.Create(ResourceKinds.Tenants, new Tenant { Name = name, External = external }))
            : Try($"delete tenant {name}", () => model.Delete(ResourceKinds.Tenants, name));
    }

    private string Network()
    {
        var index = _random.Next(6);
        var name = $"n{index}";
        if (Coin())
        {
            return Try($"delete network {name}", () => model.Delete(ResourceKinds.Networks, name));
        }

        var network = new Network { Name = name, Tenant = Pick("t", 3), Ipv4Subnet = $"10.{index}.0.0/24" };

        // Only x1 has an IPv6 side: a tenant attached to x0 refuses IPv6 networks.
        if (Coin() && model.Snapshot().Tenants.FirstOrDefault(t => t.Name == network.Tenant) is not { External: "x0" })
        {
            network.Ipv6Subnet = $"fd00:{index}::/64";
        }

        return Try($"create network {name} of {network.Tenant}", () => model.Create(ResourceKinds.Networks, network));
    }

    private string Port()
    {
        var name = Pick("p", 16);
        if (_random.Next(5) < 2)
        {
            return Try($"delete port {name}", () => model.Delete(ResourceKinds.Ports, name));
        }

        var port = new Port { Name = name, Network = Pick("n", 6), Edge = Pick("e", 4), PortSecurity = _random.Next(4) > 0 };
        switch (_random.Next(4))
        {
            case 0:
                port.Kind = PortKind.Tap;
                break;
            case 1:
                port.Vm = new VmSpec { App = VmApps.Ping, Params = { [VmApps.Target] = Pick("p", 16) } };
                break;
        }

        var floating = _random.Next(4);
        if (floating is 1 or 3)
        {
            port.FloatingIpv4 = $"198.51.100.{_random.Next(10, 14)}";
        }

        if (floating is 2 or 3)
        {
            port.FloatingIpv6 = $"2001:db8:100::{_random.Next(10, 14)}";
        }

        return Try($"create port {name} on {port.Edge} in {port.Network}{(port.FloatingIpv4.Length > 0 ? $" at {port.FloatingIpv4}" : string.Empty)}{(port.FloatingIpv6.Length > 0 ? $" at {port.FloatingIpv6}" : string.Empty)}", () => model.Create(ResourceKinds.Ports, port));
    }

    private string Rule()
    {
        var name = Pick("r", 6);
        if (Coin())
        {
            return Try($"delete ACL rule {name}", () => model.Delete(ResourceKinds.AclRules, name));
        }

        var rule = new AclRule
        {
            Name = name,
            Tenant = Pick("t", 3),
            Priority = (uint)(10 * _random.Next(1, 3)),
            Action = Coin() ? AclAction.Allow : AclAction.Deny,
            Protocol = 6,
            DstCidr = _random.Next(3) switch { 0 => "10.0.0.0/16", 1 => "fd00::/16", _ => string.Empty },
            Stateful = Coin(),
        };
        var range = Ranges[_random.Next(Ranges.Length)];
        if (range.Length > 0)
        {
            var bounds = range.Split('-');
            rule.DstPorts = new PortRange { First = uint.Parse(bounds[0], CultureInfo.InvariantCulture), Last = uint.Parse(bounds[1], CultureInfo.InvariantCulture) };
        }

        return Try($"create {(rule.Stateful ? "stateful " : string.Empty)}ACL rule {name} of {rule.Tenant} ({rule.Priority}, {range})", () => model.Create(ResourceKinds.AclRules, rule));
    }

    /// <summary>External networks x0 and x1 share one subnet, so floating IPs collide within one and not across them.</summary>
    private string External()
    {
        var name = Pick("x", 2);
        if (Coin())
        {
            return Try($"delete external network {name}", () => model.Delete(ResourceKinds.ExternalNetworks, name));
        }

        var edge = Pick("e", 4);
        return Try($"create external network {name} on {edge}", () => CreateExternal(model, name, edge));
    }

    /// <summary>
    /// Creates external network <paramref name="name"/> on <paramref name="edge"/>, in the subnet every one of them
    /// shares; x1 has an outside router, so its tenants have two ways out, and an IPv6 side with a router too.
    /// </summary>
    public static void CreateExternal(FabricModel model, string name, string edge)
    {
        ArgumentNullException.ThrowIfNull(model);
        var external = new ExternalNetwork { Name = name, Edge = edge, Interface = name, Ipv4Subnet = "198.51.100.0/24", Ipv4Address = "198.51.100.2" };
        if (name == "x1")
        {
            (external.Ipv4Router, external.Ipv6Subnet, external.Ipv6Address, external.Ipv6Router) = ("198.51.100.1", "2001:db8:100::/64", "2001:db8:100::2", "2001:db8:100::1");
        }

        model.Create(ResourceKinds.ExternalNetworks, external);
    }

    private string Link()
    {
        var name = Pick("l", 8);
        if (Coin())
        {
            return Try($"delete link {name}", () => model.Delete(ResourceKinds.Links, name));
        }

        var a = Coin() ? Pick("e", 4) : Pick("c", 2);
        var b = Pick("c", 2);
        return Try($"create link {name} {a}-{b}", () => model.Create(ResourceKinds.Links, new Link { Name = name, A = new LinkEndpoint { Node = a }, B = new LinkEndpoint { Node = b }, Cost = (uint)_random.Next(1, 4) }));
    }

    private string Node()
    {
        var edge = Coin();
        var name = edge ? Pick("e", 4) : Pick("c", 2);
        if (Coin())
        {
            return edge
                ? Try($"delete edge {name}", () => model.Delete(ResourceKinds.Edges, name))
                : Try($"delete core node {name}", () => model.Delete(ResourceKinds.CoreNodes, name));
        }

        return edge
            ? Try($"create edge {name}", () => model.Create(ResourceKinds.Edges, new EdgeNode { Name = name }))
            : Try($"create core node {name}", () => model.Create(ResourceKinds.CoreNodes, new CoreNode { Name = name }));
    }

    private string LinkState()
    {
        var name = Pick("l", 8);
        var down = Coin();
        return Try($"set link {name} {(down ? "down" : "up")}", () => model.SetLinkState(name, down));
    }

    private string Address()
    {
        var node = Coin() ? Pick("e", 4) : Pick("c", 2);
        var address = Coin() ? string.Empty : $"192.0.2.{_random.Next(1, 9)}:6635";
        return Try($"set address of {node} to '{address}'", () => model.SetNodeAddress(node, address));
    }

    private static string Try(string what, Action change)
    {
        try
        {
            change();
            return what;
        }
        catch (ModelException e)
        {
            return $"{what} (refused: {e.Message})";
        }
    }
}
