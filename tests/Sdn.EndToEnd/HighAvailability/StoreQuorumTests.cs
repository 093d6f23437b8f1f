using Grpc.Core;
using Sdn.Contracts;
using Sdn.EndToEnd.Support;
using Sdn.Testing;

namespace Sdn.EndToEnd.HighAvailability;

/// <summary>A controller over a three-member etcd cluster whose members are killed: writes go on without one, fail UNAVAILABLE without two, and reads go on, also while a write waits on the store.</summary>
[Collection(TimingSensitive.Name)]
public sealed class StoreQuorumTests
{
    [Fact]
    public async Task Writes_go_on_when_one_etcd_member_is_lost()
    {
        using var etcd = await EtcdCluster.StartAsync();
        await using var controller = await EtcdBackedController.StartAsync(etcd);
        await controller.Api.CreateTenantAsync(new Tenant { Name = "before" });

        etcd.Kill(0);
        await controller.Api.CreateTenantAsync(new Tenant { Name = "after" }, deadline: DateTime.UtcNow.AddSeconds(10));

        Assert.Equal(["before", "after"], (await controller.Api.ListTenantsAsync(new ListRequest())).Items.Select(t => t.Name));
    }

    [Fact]
    public async Task Writes_fail_unavailable_saying_the_store_lost_quorum_when_a_majority_is_lost_and_reads_go_on()
    {
        using var etcd = await EtcdCluster.StartAsync();
        await using var controller = await EtcdBackedController.StartAsync(etcd);
        await controller.Api.CreateTenantAsync(new Tenant { Name = "before" });
        var version = (await controller.Api.GetStateAsync(new GetStateRequest())).Version;

        etcd.Kill(0);
        etcd.Kill(1);
        var write = controller.Api.CreateTenantAsync(new Tenant { Name = "lost" }, deadline: DateTime.UtcNow.AddSeconds(30)).ResponseAsync;
        await Task.Delay(500);

        // The store holds the write for seconds before it gives up; reads answer meanwhile.
        var state = await controller.Api.GetStateAsync(new GetStateRequest());
        Assert.Equal(version, state.Version);
        Assert.Equal(["before"], state.Tenants.Select(t => t.Name));
        Assert.Equal("before", (await controller.Api.GetTenantAsync(new GetRequest { Name = "before" })).Name);
        Assert.False(write.IsCompleted, "the write ended before the reads were answered, so they were not shown to answer meanwhile");

        var refused = await Assert.ThrowsAsync<RpcException>(() => write);
        Assert.Equal(StatusCode.Unavailable, refused.StatusCode);
        Assert.Contains("has lost quorum", refused.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("nothing was changed", refused.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(["before"], (await controller.Api.ListTenantsAsync(new ListRequest())).Items.Select(t => t.Name));
    }
}
