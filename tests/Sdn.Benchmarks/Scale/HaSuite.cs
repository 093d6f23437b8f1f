using System.Diagnostics;
using Sdn.Contracts;
using Sdn.Testing;

namespace Sdn.Benchmarks.Scale;

/// <summary>
/// Failover of three `sdn controller --store etcd://...` processes over a three-member etcd cluster on loopback. A
/// client creates tenants one after another through the controllers in list order, as `sdn --controller A,B,C` does;
/// the leader is killed with SIGKILL, and the suite times how long until a write made after the kill is acknowledged
/// (<c>ha_failover_ms</c>) and until etcd's election names a new leader, which then programs the nodes
/// (<c>ha_leader_elected_ms</c>). Each is the median of several kills, a new controller taking the dead one's place
/// between them. The same run's median write latency with every controller up is the baseline.
/// </summary>
internal sealed class HaSuite : IBenchmarkSuite
{
    public string Name => "ha";

    public string Description => "three controllers on etcd: leader killed until a write succeeds, and until a new leader is elected";

    public IReadOnlyList<KeyValuePair<string, double>> Run(BenchmarkOptions options) => RunAsync(options).GetAwaiter().GetResult();

    private static async Task<IReadOnlyList<KeyValuePair<string, double>>> RunAsync(BenchmarkOptions options)
    {
        var kills = options.Quick ? 1 : 5;
        using var controllers = await ReplicatedControllers.StartAsync();
        var failovers = new List<double>();
        var elections = new List<double>();
        var writes = new List<double>();
        var next = 0;
        for (var kill = 0; kill < kills; kill++)
        {
            var leader = await controllers.LeaderAsync(TimeSpan.FromSeconds(30));
            for (var i = 0; i < 50; i++)
            {
                var started = Stopwatch.GetTimestamp();
                await CreateAsync(controllers, next++);
                writes.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }

            var killedAt = Stopwatch.GetTimestamp();
            leader.Kill();
            var electing = controllers.LeaderAsync(TimeSpan.FromSeconds(30), not: leader).ContinueWith(_ => Stopwatch.GetElapsedTime(killedAt), TaskScheduler.Default);
            await CreateAsync(controllers, next++);
            failovers.Add(Stopwatch.GetElapsedTime(killedAt).TotalMilliseconds);
            elections.Add((await electing).TotalMilliseconds);
            await controllers.ReplaceAsync(leader);
        }

        var failover = Median(failovers);
        var write = Median(writes);
        return
        [
            new("ha_failover_ms", failover),
            new("ha_failover_ms_worst", failovers.Max()),
            new("ha_leader_elected_ms", Median(elections)),
            new("ha_leader_elected_ms_worst", elections.Max()),
            new("ha_write_ms_median", write),
            new("ha_failover_vs_write_ratio", failover / write),
            new("kills", kills),
        ];
    }

    private static Task<Tenant> CreateAsync(ReplicatedControllers controllers, int number) =>
        controllers.CallAsync(async api => await api.CreateTenantAsync(new Tenant { Name = $"bench{number}" }, deadline: DateTime.UtcNow.AddSeconds(30)));

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }
}
