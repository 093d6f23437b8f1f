using Sdn.Common.Interop;
using Sdn.Fabric.Edge.Tap;

namespace Sdn.Benchmarks.Rack;

/// <summary>
/// The rack benchmark's baseline: two fresh network namespaces joined by one veth pair, MTU 1500 as the hosts' TAPs,
/// with addresses of their own, so the kernel's own path between two namespaces is measured on the same machine in the
/// same run. Disposing deletes both namespaces, which deletes the pair.
/// </summary>
internal sealed class VethPair : IDisposable
{
    public const string ServerIp = "10.99.0.2";
    private const string ClientIp = "10.99.0.1";
    private const string Device = "veth0";

    private readonly List<NetworkNamespace> _namespaces = [];

    public VethPair(string prefix)
    {
        try
        {
            Client = Add($"{prefix}va");
            Server = Add($"{prefix}vb");
            ExternalCommand.Run("ip", "link", "add", Device, "netns", Client.Name, "mtu", "1500", "type", "veth", "peer", "name", Device, "netns", Server.Name, "mtu", "1500");
            Client.Configure(Device, $"{ClientIp}/24");
            Server.Configure(Device, $"{ServerIp}/24");
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public NetworkNamespace Client { get; private set; } = null!;

    public NetworkNamespace Server { get; private set; } = null!;

    public void Dispose()
    {
        foreach (var space in _namespaces)
        {
            space.Dispose();
        }

        _namespaces.Clear();
    }

    private NetworkNamespace Add(string name)
    {
        var space = NetworkNamespace.Create(name);
        _namespaces.Add(space);
        return space;
    }
}
