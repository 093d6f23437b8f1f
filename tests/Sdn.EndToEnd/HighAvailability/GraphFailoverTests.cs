using Sdn.Contracts;
using Sdn.EndToEnd.Support;
using Sdn.Testing;

namespace Sdn.EndToEnd.HighAvailability;

/// <summary>
/// `sdn graph` given three controllers over one etcd store, the leader first: when the leader dies, the page's live
/// data moves on to another controller instead of showing the dead one's error until the command is restarted.
/// </summary>
[Collection(TimingSensitive.Name)]
public sealed class GraphFailoverTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task The_graph_goes_on_showing_the_fabric_after_the_controller_it_started_with_dies()
    {
        using var controllers = await ReplicatedControllers.StartAsync();
        var leader = await controllers.LeaderAsync(TimeSpan.FromSeconds(10));
        var survivor = controllers.Controllers.First(c => c != leader);
        var leaderFirst = string.Join(',', controllers.Controllers.OrderBy(c => c == leader ? 0 : 1).Select(c => c.Address));
        await using var graph = await RunningGraph.StartAsync(leader.Address, "--controller", leaderFirst);

        await controllers.Client(leader).CreateTenantAsync(new Tenant { Name = "before" });
        await UntilDrawnAsync(graph, (await controllers.Client(leader).GetStateAsync(new GetStateRequest())).Version);
        leader.Kill();
        await controllers.Client(survivor).CreateTenantAsync(new Tenant { Name = "after" }, deadline: DateTime.UtcNow.Add(Patience));

        await UntilDrawnAsync(graph, (await controllers.Client(survivor).GetStateAsync(new GetStateRequest())).Version);
    }

    /// <summary>Reads the page's snapshots until one shows <paramref name="version"/> or later, drawn without an error.</summary>
    private static async Task UntilDrawnAsync(RunningGraph graph, ulong version) => await graph.UntilSnapshotAsync(
        s => s.GetProperty("version").GetUInt64() >= version && string.IsNullOrEmpty(s.GetProperty("error").GetString()),
        $"version {version} without an error");
}
