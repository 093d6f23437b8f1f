using Sdn.Contracts;
using Sdn.Fabric.Edge.Datapath;
using Sdn.Fabric.Edge.Tap;

namespace Sdn.Cli.Hosting;

/// <summary>
/// A TAP port's host: a Linux network namespace whose one interface is a TAP device with the MAC and IPv4
/// address the controller gave the host's port, and its routes. The TAP becomes an edge port when the edge's
/// program names it. Disposing deletes the TAP and the namespace.
/// </summary>
internal sealed class LinuxHost : IDisposable
{
    /// <summary>Where iproute2 keeps named namespaces.</summary>
    private const string NamespaceDirectory = "/run/netns";

    private readonly TapDevice _tap;

    /// <param name="prefix">Put before the host's name to name the namespace and the TAP device.</param>
    public LinuxHost(Port port, Network network, string prefix)
    {
        ArgumentNullException.ThrowIfNull(port);
        ArgumentNullException.ThrowIfNull(network);
        Port = port;
        var name = prefix + port.Name;
        if (File.Exists(Path.Combine(NamespaceDirectory, name)))
        {
            throw new HostingException(
                $"host {port.Name}: network namespace '{name}' exists already, perhaps left by an `sdn up` that was killed; if nothing uses it, delete it with `ip netns del {name}`");
        }

        Namespace = NetworkNamespace.Create(name);
        try
        {
            _tap = TapDevice.Create(name, offloads: true);
            Namespace.Adopt(_tap.Name);
            Namespace.Run("ip", "link", "set", "dev", _tap.Name, "address", port.Mac);
            Namespace.Configure(
                _tap.Name,
                $"{port.Ipv4}/{System.Net.IPNetwork.Parse(network.Ipv4Subnet).PrefixLength}",
                port.Host.Routes.Select(r => (r.To, r.Via)));
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The host's port as the controller's model holds it, with its allocated MAC.</summary>
    public Port Port { get; }

    public NetworkNamespace Namespace { get; }

    public string Name => Port.Name;

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
