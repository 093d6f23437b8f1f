using System.Collections.Concurrent;
using Etcdserverpb;
using Sdn.Contracts;
using Sdn.EndToEnd.Support;
using Sdn.Fabric.Controller.Etcd;
using Sdn.Fabric.Controller.Model;
using Sdn.Testing;

namespace Sdn.EndToEnd.HighAvailability;

/// <summary>
/// A controller that fell behind while etcd compacted its history: the changes since its version can no longer be
/// watched one by one, so it loads the whole state and takes in, and announces, what differs.
/// </summary>
public sealed class CompactedHistoryTests
{
    [Fact]
    public async Task A_follower_behind_a_compaction_loads_the_state_afresh_and_announces_what_differs()
    {
        using var etcd = await EtcdCluster.StartAsync(members: 1);
        await using var leader = await EtcdBackedController.StartAsync(etcd);
        await leader.Api.CreateTenantAsync(new Tenant { Name = "kept" });
        await leader.Api.CreateTenantAsync(new Tenant { Name = "deleted" });
        using var connection = new EtcdConnection(etcd.Address);
        var behind = new FabricModel(new EtcdStateStore(connection));

        await leader.Api.DeleteTenantAsync(new DeleteRequest { Name = "deleted" });
        await leader.Api.CreateTenantAsync(new Tenant { Name = "created" });
        await leader.Api.CreateEdgeAsync(new EdgeNode { Name = "e9" });
        var current = await leader.Api.GetStateAsync(new GetStateRequest());
        await connection.Kv.CompactAsync(new CompactionRequest { Revision = (long)current.Version, Physical = true });

        using var events = behind.Watch(includeExisting: false);
        var log = new ConcurrentQueue<string>();
        await using (new StateFollower(connection, behind, log.Enqueue))
        {
            await FabricChecks.UntilAsync(() => behind.Version == current.Version, () => $"the follower is at version {behind.Version}, not {current.Version}: {string.Join("; ", log)}");
        }

        Assert.Equal(current, behind.Snapshot());
        var announced = new List<string>();
        while (events.Reader.TryRead(out var change))
        {
            announced.Add($"{change.Type} {ModelObject.FromEvent(change)} at {change.Version}");
        }

        Assert.Equal([$"Deleted tenant 'deleted' at {current.Version}", $"Created edge 'e9' at {current.Version}", $"Created tenant 'created' at {current.Version}"], announced);
        Assert.Contains(log, line => line.Contains("etcd compacted its history", StringComparison.Ordinal));
    }
}
