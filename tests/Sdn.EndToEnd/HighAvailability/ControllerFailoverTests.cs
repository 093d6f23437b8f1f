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
    private const string Topology = """
        name: ha
        core:
          - name: c1
        edges:
          - name: e1
          - name: e2
        links:
          - endpoints: [e1, c1]
          - endpoints: [c1, e2]
        tenants:
          - name: red
            networks:
              - name: web
                subnet: 10.1.0.0/24
        hosts:
          - { name: h1, edge: e1, network: red/web, ip: 10.1.0.101 }
          - { name: h2, edge: e2, network: red/web, ip: 10.1.0.102 }
        """;

    private static readonly string[] Nodes = ["e1", "e2", "c1"];
    private readonly string _topologyFile = Path.Combine(Path.GetTempPath(), $"sdn-ha-{Guid.NewGuid():N}.yaml");
    private readonly string _prefix = TopologyRun.Options().NamePrefix;
    private readonly List<NodeProcess> _nodes = [];
    private ReplicatedControllers _controllers = null!;

    public async Task InitializeAsync()
    {
        _controllers = await ReplicatedControllers.StartAsync();
        await File.WriteAllTextAsync(_topologyFile, Topology);
        var (exit, output) = await SdnCli.InvokeAsync(_controllers.Controllers[0].Address, "apply", _topologyFile, "--controller", _controllers.Addresses);
        Assert.True(exit == 0, output);
        var subnet = 100 + (Environment.ProcessId % 100);
        for (var i = 0; i < Nodes.Length; i++)
        {
            string[] common = ["--name", Nodes[i], "--controller", _controllers.Addresses, "--underlay", $"127.89.{subnet}.{i + 1}:6635"];
            _nodes.Add(Nodes[i].StartsWith('e') ? NodeProcess.Start("edge", [.. common, "--host-prefix", _prefix]) : NodeProcess.Start("core", common));
        }
    }

    public Task DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            node.Dispose();
        }

        _controllers.Dispose();
        File.Delete(_topologyFile);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Every_acknowledged_write_outlives_the_killed_leader_and_the_agents_follow_the_new_one()
    {
        await UntilConvergedAsync(TimeSpan.FromSeconds(60));

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

        await UntilConvergedAsync(TimeSpan.FromSeconds(30));
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

    /// <summary>Waits until every node's agent is in session with the leader, holds what it was last sent, and every object is up.</summary>
    private async Task UntilConvergedAsync(TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            var leader = await _controllers.LeaderAsync(limit);
            var api = _controllers.Client(leader);
            var stats = (await api.GetStatsAsync(new StatsRequest())).Nodes;
            var status = await api.GetStatusAsync(new StatusRequest());
            var behind = stats.Where(n => !n.Connected || n.AppliedVersion != n.SentVersion || n.SentVersion == 0 || n.Failure.Length > 0)
                .Select(n => $"{n.Node}: connected {n.Connected}, applied {n.AppliedVersion} of {n.SentVersion} {n.Failure}")
                .Concat(status.Objects.Where(o => o.State != ObjectState.Up).Select(o => $"{o.Kind} {o.Name}: {o.State} {o.Reason}"))
                .ToList();
            if (behind.Count == 0 && stats.Count == Nodes.Length)
            {
                return;
            }

            Assert.True(
                DateTime.UtcNow < deadline,
                $"not converged on {leader.Address} in {limit.TotalSeconds} s: {string.Join("; ", behind)}\n{string.Join("\n---\n", _nodes.Select(n => n.Output))}\n---\n{leader.Output}");
            await Task.Delay(100);
        }
    }
}
