using Sdn.Common.Interop;

namespace Sdn.Fabric.Edge.Tap;

/// <summary>
/// A Linux network namespace made with iproute2, standing for one host of a topology. Disposing it
/// deletes the namespace and everything left inside it.
/// </summary>
public sealed class NetworkNamespace : IDisposable
{
    private bool _deleted;

    private NetworkNamespace(string name) => Name = name;

    public string Name { get; }

    /// <exception cref="ExternalCommandException">The namespace exists already, or `ip` is missing or not permitted.</exception>
    public static NetworkNamespace Create(string name)
    {
        ExternalCommand.Run("ip", "netns", "add", name);
        var created = new NetworkNamespace(name);
        created.Run("ip", "link", "set", "lo", "up");
        return created;
    }

    /// <summary>A namespace that exists already, to run commands in or to delete.</summary>
    public static NetworkNamespace Open(string name) => new(name);

    /// <summary>Runs a command inside the namespace and returns what it printed.</summary>
    public string Run(string fileName, params string[] arguments) =>
        ExternalCommand.Run("ip", ["netns", "exec", Name, fileName, .. arguments]);

    /// <summary>Moves a network device from the caller's namespace into this one.</summary>
    public void Adopt(string device) => ExternalCommand.Run("ip", "link", "set", "dev", device, "netns", Name);

    /// <summary>Brings <paramref name="device"/> up with an IPv4 address and prefix length, and optional routes.</summary>
    public void Configure(string device, string addressWithPrefix, IEnumerable<(string Destination, string Via)>? routes = null)
    {
        Run("ip", "address", "add", addressWithPrefix, "dev", device);
        Run("ip", "link", "set", device, "up");
        foreach (var (destination, via) in routes ?? [])
        {
            Run("ip", "route", "add", destination, "via", via, "dev", device);
        }
    }

    public void Dispose()
    {
        if (!_deleted)
        {
            _deleted = true;
            ExternalCommand.Run("ip", "netns", "del", Name);
        }
    }
}
