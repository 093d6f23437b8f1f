using Sdn.Fabric.Controller.Hosting;

namespace Sdn.EndToEnd.Support;

/// <summary>
/// topologies/quickstart.yaml brought up once for a test class, on first use, so tests skipped for want of
/// /dev/kvm start nothing. Red has red1 on e1, red2 and the Linux host h1 on e2; blue has blue1 and blue2.
/// </summary>
public sealed class RunningQuickstart : IAsyncLifetime
{
    private readonly Lazy<Task<EmbeddedFabric>> _fabric = new(() => TopologyRun.StartAsync(TopologyRun.Load("quickstart.yaml")));

    internal Task<EmbeddedFabric> FabricAsync() => _fabric.Value;

    /// <summary>Runs Linux ping in host h1's namespace toward <paramref name="address"/>; returns its output, whatever the outcome.</summary>
    internal async Task<string> PingFromHostAsync(string address, int count, double interval = 0.1, int payloadBytes = 56)
    {
        var host = (await FabricAsync()).Hosts["h1"].Namespace.Name;
        return await Task.Run(() => Fabric.Core.Interop.ExternalCommand.Run(
            "bash", "-c", FormattableString.Invariant($"ip netns exec {host} ping -n -c {count} -i {interval} -s {payloadBytes} -W 1 {address} || true")));
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_fabric.IsValueCreated)
        {
            await (await _fabric.Value).DisposeAsync();
        }
    }
}

/// <summary>The debugging tests share one running quickstart fabric, and so run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class SharedQuickstart : ICollectionFixture<RunningQuickstart>
{
    public const string Name = "running quickstart";
}
