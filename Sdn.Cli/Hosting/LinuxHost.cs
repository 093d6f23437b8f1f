using Sdn.Common.Interop;
using Sdn.Contracts;
using Sdn.Fabric.Edge.Datapath;
using Sdn.Fabric.Edge.Tap;

namespace Sdn.Cli.Hosting;

/// <summary>
/// A TAP port's host: a Linux network namespace whose one interface is a TAP device with the MAC and addresses
/// the controller gave the port (or, for a DHCP host, the IPv4 address its <see cref="DhcpClient"/> gets from the edge),
/// default routes through the tenant router, and its own routes. The TAP becomes an edge port when the edge's
/// program names it. Disposing deletes the TAP and the namespace.
/// </summary>
internal sealed class LinuxHost : IDisposable
{
    /// <summary>Where iproute2 keeps named namespaces.</summary>
    private const string NamespaceDirectory = "/run/netns";

    private readonly TapDevice _tap;
    private readonly DhcpClient? _dhcp;

    /// <param name="prefix">Put before the host's name to name the namespace and the TAP device.</param>
    public LinuxHost(PortConfig config, string prefix)
    {
        ArgumentNullException.ThrowIfNull(config);
        var launch = config.Host ?? throw new HostingException($"port '{config.Name}' is no host port");
        Name = config.Name;
        Mac = config.Mac;
        Address = launch.Address;
        var name = prefix + config.Name;
        if (File.Exists(Path.Combine(NamespaceDirectory, name)))
        {
            ReclaimLeftOver(config.Name, name);
        }

        Namespace = NetworkNamespace.Create(name);
        try
        {
            _tap = TapDevice.Create(name, offloads: true);
            Namespace.Adopt(_tap.Name);
            Namespace.Run("ip", "link", "set", "dev", _tap.Name, "address", config.Mac);
            if (launch.Spec.Dhcp)
            {
                Namespace.Run("ip", "link", "set", _tap.Name, "up");
                _dhcp = new DhcpClient(Namespace, _tap.Name);
            }
            else
            {
                Namespace.Configure(_tap.Name, $"{launch.Address.Ipv4}/{launch.Address.PrefixLength}", launch.Spec.Routes.Select(r => (r.To, r.Via)));
                RouteIpv4ThroughGateway(launch);
            }

            ConfigureIpv6(launch.Address);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string Name { get; }

    public string Mac { get; }

    public PortAddress Address { get; }

    public NetworkNamespace Namespace { get; }

    /// <summary>The TAP device's name, inside <see cref="Namespace"/>.</summary>
    public string Device => _tap.Name;

    /// <summary>The TAP device as edge port <paramref name="number"/>.</summary>
    public IEdgePort Attach(uint number) => new TapPort(number, _tap);

    /// <summary>
    /// Deletes the namespace a killed edge left of this host: its TAP went with the process that held it, so only lo is
    /// left. A namespace with any other device is some running fabric's, and is refused.
    /// </summary>
    private static void ReclaimLeftOver(string host, string name)
    {
        var devices = ExternalCommand.Run("ip", "-n", name, "-o", "link", "show")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(':', 3)[1].Trim().Split('@')[0])
            .Where(device => device != "lo")
            .ToList();
        if (devices.Count > 0)
        {
            throw new HostingException(
                $"host {host}: network namespace '{name}' exists already with {string.Join(", ", devices)}, so another fabric may run it; " +
                $"if nothing uses it, delete it with `ip netns del {name}`");
        }

        NetworkNamespace.Open(name).Dispose();
    }

    public void Dispose()
    {
        _dhcp?.Dispose();
        _tap?.Dispose();
        Namespace.Dispose();
    }

    /// <summary>The default route through the tenant router, unless the host's own routes have one.</summary>
    private void RouteIpv4ThroughGateway(HostLaunch launch)
    {
        if (!launch.Spec.Routes.Any(r => r.To.EndsWith("/0", StringComparison.Ordinal)))
        {
            Namespace.Run("ip", "route", "add", "default", "via", launch.Address.Gateway, "dev", _tap.Name);
        }
    }

    /// <summary>
    /// The IPv6 address, without duplicate address detection, which the edge answers for no one, so it is usable at
    /// once, and the default route through the tenant router.
    /// </summary>
    private void ConfigureIpv6(PortAddress address)
    {
        if (address.Ipv6.Length > 0)
        {
            Namespace.Run("ip", "-6", "address", "add", $"{address.Ipv6}/{address.Ipv6PrefixLength}", "dev", _tap.Name, "nodad");
            Namespace.Run("ip", "-6", "route", "add", "default", "via", address.Ipv6Gateway, "dev", _tap.Name);
        }
    }
}
