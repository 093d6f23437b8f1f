using System.Collections.Concurrent;
using System.Diagnostics;
using Grpc.Core;
using Sdn.Contracts;
using Sdn.EndToEnd.Support;
using Sdn.Testing;

namespace Sdn.EndToEnd.HighAvailability;

/// <summary>
/// Three `sdn controller --store etcd://...` processes over a three-member etcd cluster, with real `sdn edge` and `sdn core`
/// processes given all three controllers. The leader is killed with SIGKILL while a client streams ACL rule creations
/// to whichever controller answers: every creation a controller acknowledged is in every surviving controller's state,
/// and the nodes' agents find the new leader and apply its programs.
/// </summary>
[Collection(TimingSensitive.Name)]
public sealed class ControllerFailoverTests : IAsyncLifetime
{
    private ReplicatedFabric _fabric = null!;

    private ReplicatedControllers _controllers = null!;

    public async Task InitializeAsync()
    {
        _fabric = await ReplicatedFabric.StartAsync();
        _controllers = _fabric.Controllers;
    }

    public Task DisposeAsync()
    {
        _fabric.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Every_acknowledged_write_outlives_the_killed_leader_and_the_agents_follow_the_new_one()
    {
        await _fabric.UntilConvergedAsync(TimeSpan.FromSeconds(60));

        var acknowledged = new ConcurrentBag<string>();
        using var stop = new CancellationTokenSource();
        var killedAt = 0L;
        var acknowledgedAfterKill = 0;
        var writing = Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var rule = new AclRule { Name = $"r{i}", Tenant = "red", Priority = (uint)(100 + i), Action = AclAction.Deny, DstCidr = $"10.9.{i / 250}.{(i % 250) + 1}/32" };
                await CreateAsync(rule);
                acknowledged.Add(rule.Name);
                if (Volatile.Read(ref killedAt) != 0)
                {
                    Interlocked.Increment(ref acknowledgedAfterKill);
                }
            }
        });

        await Task.Delay(700);
        var leader = await _controllers.LeaderAsync(TimeSpan.FromSeconds(10));
        Volatile.Write(ref killedAt, Stopwatch.GetTimestamp());
        leader.Kill();
        await _controllers.LeaderAsync(TimeSpan.FromSeconds(10), not: leader);
        var electedIn = Stopwatch.GetElapsedTime(killedAt);
        await Task.Delay(1000);
        await stop.CancelAsync();
        await writing;

        Assert.True(acknowledgedAfterKill > 0, "no write was acknowledged after the leader died");
        Assert.True(electedIn < TimeSpan.FromSeconds(3), $"the new leader took {electedIn.TotalMilliseconds:F0} ms");
        foreach (var survivor in _controllers.Controllers.Where(c => c != leader))
        {
            await UntilHoldsAsync(survivor, acknowledged.ToHashSet(StringComparer.Ordinal), TimeSpan.FromSeconds(10));
        }

        await _fabric.UntilConvergedAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>Creates <paramref name="rule"/> through whichever controller answers; one that exists already was made by a call whose answer was lost with its controller.</summary>
    private async Task CreateAsync(AclRule rule)
    {
        try
        {
            await _controllers.CallAsync(async api => await api.CreateAclRuleAsync(rule, deadline: DateTime.UtcNow.AddSeconds(10)));
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.AlreadyExists)
        {
        }
    }

    private async Task UntilHoldsAsync(ControllerProcess controller, HashSet<string> rules, TimeSpan limit)
    {
        var api = _controllers.Client(controller);
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            var held = (await api.ListAclRulesAsync(new ListRequest())).Items.Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
            var missing = rules.Except(held).ToList();
            if (missing.Count == 0)
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, $"{controller.Address} lacks {missing.Count} acknowledged rules: {string.Join(", ", missing.Take(10))}\n{controller.Output}");
            await Task.Delay(100);
        }
    }
}
