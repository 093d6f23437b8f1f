using System.Diagnostics;
using System.Net;
using Grpc.Core;
using Sdn.Cli.Hosting;
using Sdn.Contracts;
using Sdn.Contracts.Rpc;
using Sdn.Fabric.Controller.Model;
using Sdn.Fabric.Controller.Topology;

namespace Sdn.Benchmarks.Live;

/// <summary>
/// A VM added to a running fabric: topologies/scale-100.yaml embedded, then, ten times (three with --quick), a VNIC
/// port with an echo VM created on edge e1 through the northbound API and timed until it answers the controller's Ping
/// from vm002, an existing VM of its network on edge e3 (one request a millisecond, from the moment the port exists),
/// then deleted; the next add starts once e1 and e3 have applied the deletion. The stages on the way are timed too, as
/// seen from the test: the port accepted, the VM made behind it on e1, the guest up. The first add is reported on its
/// own as well, since it is the first time the process runs that path (the JIT compiles it as it goes).
/// </summary>
internal sealed class LiveSuite : IBenchmarkSuite
{
    private const double GoalMilliseconds = 100;
    private const string Edge = "e1";
    private const string Pinger = "vm002";
    private const string PingerEdge = "e3";

    public string Name => "live";

    public string Description => "a VM added to running scale-100 through the API until it answers a ping (goal < 100 ms)";

    public IReadOnlyList<KeyValuePair<string, double>> Run(BenchmarkOptions options) => RunAsync(options).GetAwaiter().GetResult();

    private static async Task<IReadOnlyList<KeyValuePair<string, double>>> RunAsync(BenchmarkOptions options)
    {
        var adds = options.Quick ? 3 : 10;
        var topology = TopologyFile.Load(RepositoryRoot.Combine("topologies", "scale-100.yaml"));
        await using var fabric = await EmbeddedFabric.StartAsync(topology, new EmbeddedFabricOptions { Listen = new IPEndPoint(IPAddress.Loopback, 0) });
        using var channel = RpcChannels.ForAddress(fabric.Address);
        var api = new Contracts.Controller.ControllerClient(channel);
        var edge = fabric.Nodes.Edges.Single(e => e.Name == Edge);
        var pingerEdge = fabric.Nodes.Edges.Single(e => e.Name == PingerEdge);

        var results = new List<Stages>();
        for (var i = 0; i < adds; i++)
        {
            var stages = await AddUntilAnsweredAsync(api, edge, $"live{i}", $"10.20.0.{200 + i}");
            Console.Error.WriteLine(FormattableString.Invariant(
                $"live: add {i + 1}: accepted {stages.Accepted:F1} ms, VM made {stages.Made:F1} ms, up {stages.Up:F1} ms, answered {stages.Answered:F1} ms"));
            results.Add(stages);
            await DeleteAsync(api, edge, pingerEdge, $"live{i}");
        }

        var answered = Spread(results.Select(s => s.Answered));
        return
        [
            new("live_add_vm_ms", answered.Median),
            new("live_add_vm_ms_min", answered.Min),
            new("live_add_vm_ms_max", answered.Max),
            new("live_add_vm_first_ms", results[0].Answered),
            new("live_add_vm_goal_ms", GoalMilliseconds),
            new("live_add_vm_vs_goal", answered.Median / GoalMilliseconds),
            .. Figures("live_add_vm_accepted_ms", results.Select(s => s.Accepted)),
            .. Figures("live_add_vm_made_ms", results.Select(s => s.Made)),
            .. Figures("live_add_vm_up_ms", results.Select(s => s.Up)),
        ];
    }

    /// <summary>Creates the VM and pings it until it answers; the stages' times from the create call, in ms.</summary>
    private static async Task<Stages> AddUntilAnsweredAsync(Contracts.Controller.ControllerClient api, EdgeHost edge, string name, string ip)
    {
        var clock = Stopwatch.StartNew();
        await api.CreatePortAsync(new Port { Name = name, Edge = Edge, Network = TopologyFile.NetworkName("t1/lan"), Ipv4 = ip, Vm = new VmSpec { App = VmApps.Echo } });
        var accepted = clock.Elapsed.TotalMilliseconds;
        using var watching = new CancellationTokenSource();
        var stages = WatchAsync(edge, name, clock, watching.Token);

        var replied = false;
        using (var ping = api.Ping(new PingRequest { Source = Pinger, Destination = name, Count = 10_000, IntervalMs = 1 }))
        {
            await foreach (var echo in ping.ResponseStream.ReadAllAsync())
            {
                if (echo.Replied)
                {
                    replied = true;
                    break;
                }
            }
        }

        var answered = clock.Elapsed.TotalMilliseconds;
        if (!replied)
        {
            throw new InvalidOperationException($"{name} did not answer 10,000 pings from {Pinger}");
        }

        watching.CancelAfter(TimeSpan.FromSeconds(5));
        var (made, up) = await stages;
        return new Stages(accepted, made, up, answered);
    }

    /// <summary>
    /// Deletes the VM's port and waits until both edges of the ping's path have applied the change, so that taking the
    /// VM down is not timed as part of the next add.
    /// </summary>
    private static async Task DeleteAsync(Contracts.Controller.ControllerClient api, EdgeHost edge, EdgeHost pingerEdge, string name)
    {
        var (edgeVersion, pingerVersion) = (edge.Agent.AppliedVersion, pingerEdge.Agent.AppliedVersion);
        await api.DeletePortAsync(new DeleteRequest { Name = name });
        var deadline = Stopwatch.StartNew();
        while (edge.Agent.AppliedVersion == edgeVersion || pingerEdge.Agent.AppliedVersion == pingerVersion || edge.Ports.Vms.Any(v => v.Name == name))
        {
            if (deadline.Elapsed > TimeSpan.FromSeconds(10))
            {
                throw new InvalidOperationException($"edges {Edge} and {PingerEdge} did not apply the deletion of {name} within 10 s");
            }

            await Task.Delay(5);
        }
    }

    /// <summary>When the edge made the VM, and when its guest said it was up, polled every millisecond.</summary>
    private static async Task<(double Made, double Up)> WatchAsync(EdgeHost edge, string name, Stopwatch clock, CancellationToken stop)
    {
        var made = double.NaN;
        while (!stop.IsCancellationRequested)
        {
            if (edge.Ports.Vms.FirstOrDefault(v => v.Name == name) is { } vm)
            {
                made = double.IsNaN(made) ? clock.Elapsed.TotalMilliseconds : made;
                if (vm.IsUp)
                {
                    return (made, clock.Elapsed.TotalMilliseconds);
                }
            }

            await Task.Delay(1, CancellationToken.None);
        }

        return (made, double.NaN);
    }

    /// <summary>A stage's median, min and max over the adds, named <paramref name="name"/>, _min and _max.</summary>
    private static IEnumerable<KeyValuePair<string, double>> Figures(string name, IEnumerable<double> values)
    {
        var (median, min, max) = Spread(values);
        return [new(name, median), new($"{name}_min", min), new($"{name}_max", max)];
    }

    private static (double Median, double Min, double Max) Spread(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return (sorted[sorted.Count / 2], sorted[0], sorted[^1]);
    }

    /// <summary>Milliseconds from the create call to each stage.</summary>
    private readonly record struct Stages(double Accepted, double Made, double Up, double Answered);
}
