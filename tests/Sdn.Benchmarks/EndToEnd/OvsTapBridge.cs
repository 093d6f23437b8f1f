using Sdn.Fabric.Edge.Tap;

namespace Sdn.Benchmarks.EndToEnd;

/// <summary>
/// Two namespaces joined by one Open vSwitch bridge on the userspace datapath (<c>datapath_type=netdev</c>), each
/// through a <c>type=tap</c> port: ovs-vswitchd opens the TAP and reads and writes its frames itself, the way our
/// TAP ports do, and the device is then moved into its namespace. The bridge forwards with its default NORMAL
/// (learning L2) flow. Disposing deletes the bridge, its TAPs and the namespaces, whatever state they reached.
/// </summary>
internal sealed class OvsTapBridge : IDisposable
{
    public const string ServerIp = "10.77.0.2";
    private const string ClientIp = "10.77.0.1";

    private readonly string _bridge;
    private readonly List<NetworkNamespace> _namespaces = [];

    public OvsTapBridge(string prefix)
    {
        _bridge = $"{prefix}br";
        try
        {
            OpenVswitch.Vsctl("add-br", _bridge, "--", "set", "bridge", _bridge, "datapath_type=netdev");
            Client = Attach($"{prefix}a", ClientIp);
            Server = Attach($"{prefix}b", ServerIp);
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
        // Deleting the bridge closes the TAPs ovs-vswitchd holds, which removes them from the namespaces.
        OpenVswitch.Vsctl("--if-exists", "del-br", _bridge);
        foreach (var space in _namespaces)
        {
            space.Dispose();
        }
    }

    private NetworkNamespace Attach(string name, string ip)
    {
        var space = NetworkNamespace.Create(name);
        _namespaces.Add(space);
        OpenVswitch.Vsctl("add-port", _bridge, name, "--", "set", "interface", name, "type=tap");
        space.Adopt(name);
        space.Configure(name, $"{ip}/24");
        return space;
    }
}
