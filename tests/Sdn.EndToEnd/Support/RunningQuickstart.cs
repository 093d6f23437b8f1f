using Sdn.Cli.Hosting;

namespace Sdn.EndToEnd.Support;

/// <summary>
/// topologies/quickstart.yaml brought up once for the collection, on first use, so tests skipped for want of
/// /dev/kvm start nothing. Red has red1 on e1, red2 and the Linux host h1 on e2; blue has blue1 and blue2. A probe VM
/// on e1 (red/web, 10.1.0.50) has pinged red2 three times before any test runs, so counters have moved.
/// </summary>
public sealed class RunningQuickstart : IAsyncLifetime
{
    private readonly Lazy<Task<EmbeddedFabric>> _fabric = new(StartAsync);

    internal Task<EmbeddedFabric> FabricAsync() => _fabric.Value;

    private static async Task<EmbeddedFabric> StartAsync()
    {
        var fabric = await TopologyRun.StartAsync(TopologyRun.Load("quickstart.yaml").With(TopologyRun.Pinger("probe", "e1", "red/web", "10.1.0.50", target: "red2")));
        var replies = fabric.RepliesWhenDone("probe");
        if (replies != 3)
        {
            await fabric.DisposeAsync();
            throw new InvalidOperationException($"the probe on e1 got {replies} of 3 echo replies from red2 while the quickstart fabric came up");
        }

        return fabric;
    }

    /// <summary>Runs Linux ping in host h1's namespace toward <paramref name="address"/>; returns its output, whatever the outcome.</summary>
    internal async Task<string> PingFromHostAsync(string address, int count, double interval = 0.1, int payloadBytes = 56) =>
        await (await FabricAsync()).PingFromHostAsync("h1", address, count, interval, payloadBytes);

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
