using Grpc.Core;
using Sdn.Contracts;
using Sdn.Contracts.Rpc;
using Sdn.EndToEnd.Support;
using Sdn.Testing;

namespace Sdn.EndToEnd.HighAvailability;

/// <summary>
/// Three `sdn controller --store etcd://...` processes over a three-member etcd cluster, given a fabric of two edges
/// and a core (host h1 on e1, h2 on e2, one network) through `sdn apply`, with real `sdn edge` (hosts in namespaces)
/// and `sdn core` processes that are given all three controllers.
/// </summary>
internal sealed class ReplicatedFabric : IDisposable
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

    private readonly List<NodeProcess> _nodes = [];

    private ReplicatedFabric(ReplicatedControllers controllers) => Controllers = controllers;

    public static IReadOnlyList<string> Nodes { get; } = ["e1", "e2", "c1"];

    public ReplicatedControllers Controllers { get; }

    /// <summary>Everything the nodes wrote, for a failure's message.</summary>
    public string NodesOutput => string.Join("\n---\n", _nodes.Select(n => n.Output));

    public static async Task<ReplicatedFabric> StartAsync()
    {
        var fabric = new ReplicatedFabric(await ReplicatedControllers.StartAsync());
        var topologyFile = Path.Combine(Path.GetTempPath(), $"sdn-ha-{Guid.NewGuid():N}.yaml");
        try
        {
            await File.WriteAllTextAsync(topologyFile, Topology);
            var controllers = fabric.Controllers;
            var (exit, output) = await SdnCli.InvokeAsync(controllers.Controllers[0].Address, "apply", topologyFile, "--controller", controllers.Addresses);
            Assert.True(exit == 0, output);
            var prefix = TopologyRun.Options().NamePrefix;
            var subnet = 100 + (Environment.ProcessId % 100);
            for (var i = 0; i < Nodes.Count; i++)
            {
                string[] common = ["--name", Nodes[i], "--controller", controllers.Addresses, "--underlay", $"127.89.{subnet}.{i + 1}:6635"];
                fabric._nodes.Add(Nodes[i].StartsWith('e') ? NodeProcess.Start("edge", [.. common, "--host-prefix", prefix]) : NodeProcess.Start("core", common));
            }

            return fabric;
        }
        catch
        {
            fabric.Dispose();
            throw;
        }
        finally
        {
            File.Delete(topologyFile);
        }
    }

    /// <summary>Waits until every node's agent is in session with the leader, holds what it was last sent, and every object is up.</summary>
    public async Task UntilConvergedAsync(TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            var leader = await Controllers.LeaderAsync(limit);
            var behind = await BehindAsync(Controllers.Client(leader));
            if (behind.Count == 0)
            {
                return;
            }

            Assert.True(
                DateTime.UtcNow < deadline,
                $"not converged on {leader.Address} in {limit.TotalSeconds} s: {string.Join("; ", behind)}\n{NodesOutput}\n---\n{leader.Output}");
            await Task.Delay(100);
        }
    }

    /// <summary>
    /// What is not converged yet as <paramref name="leader"/> sees it; an elected controller still setting up its term
    /// refuses as a follower does, and is not converged either.
    /// </summary>
    private static async Task<List<string>> BehindAsync(Controller.ControllerClient leader)
    {
        try
        {
            var stats = (await leader.GetStatsAsync(new StatsRequest())).Nodes;
            var status = await leader.GetStatusAsync(new StatusRequest());
            return [
                .. stats.Where(n => !n.Connected || n.AppliedVersion != n.SentVersion || n.SentVersion == 0 || n.Failure.Length > 0)
                    .Select(n => $"{n.Node}: connected {n.Connected}, applied {n.AppliedVersion} of {n.SentVersion} {n.Failure}"),
                .. status.Objects.Where(o => o.State != ObjectState.Up).Select(o => $"{o.Kind} {o.Name}: {o.State} {o.Reason}"),
                .. Nodes.Where(node => !stats.Any(n => n.Node == node)).Select(node => $"{node}: no stats"),
            ];
        }
        catch (RpcException e) when (ControllerAddresses.FollowerRefused(e))
        {
            return [$"the elected controller does not lead yet: {e.Status.Detail}"];
        }
    }

    public void Dispose()
    {
        foreach (var node in _nodes)
        {
            node.Dispose();
        }

        Controllers.Dispose();
    }
}
