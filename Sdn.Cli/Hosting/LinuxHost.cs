using Sdn.Contracts;
using Sdn.Fabric.Edge.Datapath;
using Sdn.Fabric.Edge.Tap;

namespace Sdn.Cli.Hosting;

/// <summary>
/// A TAP port's host: a Linux network namespace whose one interface is a TAP device with the MAC and IPv4
/// address the controller gave the port, and its routes. The TAP becomes an edge port when the edge's
/// program names it. Disposing deletes the TAP and the namespace.
/// </summary>
internal sealed class LinuxHost : IDisposable
{
    /// <summary>Where iproute2 keeps named namespaces.</summary>
    private const string NamespaceDirectory = "/run/netns";

    private readonly TapDevice _tap;

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
            throw new HostingException(
                $"host {config.Name}: network namespace '{name}' exists already, perhaps left by an `sdn up` that was killed; if nothing uses it, delete it with `ip netns del {name}`");
        }

        Namespace = NetworkNamespace.Create(name);
        try
        {
            _tap = TapDevice.Create(name, offloads: true);
            Namespace.Adopt(_tap.Name);
            Namespace.Run("ip", "link", "set", "dev", _tap.Name, "address", config.Mac);
            Namespace.Configure(_tap.Name, $"{launch.Address.Ipv4}/{launch.Address.PrefixLength}", launch.Spec.Routes.Select(r => (r.To, r.Via)));
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

    public void Dispose()
    {
        _tap?.Dispose();
        Namespace.Dispose();
    }
}
