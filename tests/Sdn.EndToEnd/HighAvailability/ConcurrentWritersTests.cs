using Grpc.Core;
using Sdn.Contracts;
using Sdn.EndToEnd.Support;
using Sdn.Testing;

namespace Sdn.EndToEnd.HighAvailability;

/// <summary>
/// Two controllers over one etcd cluster take writes at once. Each write is validated against the state it is
/// committed on, whichever controller takes it: of two creations of one name, exactly one is made, and both
/// controllers end with the same state at the same version.
/// </summary>
[Collection(TimingSensitive.Name)]
public sealed class ConcurrentWritersTests
{
    private const int Rounds = 20;

    [Fact]
    public async Task Of_two_controllers_creating_one_name_at_once_exactly_one_succeeds_and_both_end_alike()
    {
        using var etcd = await EtcdCluster.StartAsync();
        await using var first = await EtcdBackedController.StartAsync(etcd);
        await using var second = await EtcdBackedController.StartAsync(etcd);

        for (var i = 0; i < Rounds; i++)
        {
            var tenant = new Tenant { Name = $"t{i}" };
            var outcomes = await Task.WhenAll(OutcomeAsync(first, tenant), OutcomeAsync(second, tenant));
            Assert.True(
                outcomes.Select(o => o.Code).Order().SequenceEqual([StatusCode.OK, StatusCode.AlreadyExists]),
                $"round {i}: {string.Join("; ", outcomes.Select(o => $"{o.Code} {o.Detail}"))}");
        }

        var deadline = DateTime.UtcNow.AddSeconds(10);
        FabricState a, b;
        do
        {
            a = await first.Api.GetStateAsync(new GetStateRequest());
            b = await second.Api.GetStateAsync(new GetStateRequest());
        }
        while (a.Version != b.Version && DateTime.UtcNow < deadline);

        Assert.Equal(a, b);
        Assert.Equal(Rounds, a.Tenants.Count);
    }

    private static async Task<(StatusCode Code, string Detail)> OutcomeAsync(EtcdBackedController controller, Tenant tenant)
    {
        try
        {
            await controller.Api.CreateTenantAsync(tenant, deadline: DateTime.UtcNow.AddSeconds(20));
            return (StatusCode.OK, "");
        }
        catch (RpcException e)
        {
            return (e.StatusCode, e.Status.Detail);
        }
    }
}
