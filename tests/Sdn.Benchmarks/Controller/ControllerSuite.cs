using System.Diagnostics;
using System.Net;
using Sdn.Cli.Hosting;
using Sdn.Contracts;
using Sdn.Contracts.Rpc;
using Sdn.Fabric.Controller.Model;
using Sdn.Fabric.Controller.Northbound;

namespace Sdn.Benchmarks.Controller;

/// <summary>
/// The controller's gRPC latency: a unary northbound call (GetTenant on the real service, over
/// loopback h2c) against a bare HTTP/2 round trip on the same stack, measured interleaved in one
/// run; the server-streaming rate of WatchEvents replaying the state; flow-mods pushed to an edge agent; and
/// compiling and pushing a 100-edge fabric.
/// </summary>
internal sealed class ControllerSuite : IBenchmarkSuite
{
    public string Name => "controller";

    public string Description => "gRPC unary latency vs raw HTTP/2, streaming rate, flow-mods to an edge agent, compile and push of 100 edges";

    public IReadOnlyList<KeyValuePair<string, double>> Run(BenchmarkOptions options) => RunAsync(options).GetAwaiter().GetResult();

    private static async Task<IReadOnlyList<KeyValuePair<string, double>>> RunAsync(BenchmarkOptions options)
    {
        var (warmup, rounds, perRound, tenants) = options.Quick ? (200, 10, 50, 1_000) : (2_000, 40, 500, 5_000);

        await using var controller = await ControllerServer.StartAsync(new IPEndPoint(IPAddress.Loopback, 0), new FabricModel(store: null));
        using var channel = RpcChannels.ForAddress(controller.Address);
        var api = new Contracts.Controller.ControllerClient(channel);
        await using var raw = await RawHttp2Baseline.StartAsync();
        await api.CreateTenantAsync(new Tenant { Name = "acme" });
        var get = new GetRequest { Name = "acme" };

        Task Rpc() => api.GetTenantAsync(get).ResponseAsync;
        for (var i = 0; i < warmup; i++)
        {
            await Rpc();
            await raw.RoundTripAsync();
        }

        // Interleave short rounds of each so that noise from other processes hits both alike.
        var rpcMicros = new List<double>();
        var rawMicros = new List<double>();
        for (var round = 0; round < rounds; round++)
        {
            await TimeEachAsync(Rpc, perRound, rpcMicros);
            await TimeEachAsync(raw.RoundTripAsync, perRound, rawMicros);
        }

        var streamed = await StreamRateAsync(controller.Model, api, tenants);
        var rpcMedian = Median(rpcMicros);
        var rawMedian = Median(rawMicros);
        return
        [
            new("rpc_unary_us_median", rpcMedian),
            new("raw_http2_us_median", rawMedian),
            new("rpc_unary_vs_raw_http2_ratio", rpcMedian / rawMedian),
            new("rpc_stream_msgs_per_s", streamed),
            .. await FlowModThroughput.RunAsync(options.Quick),
            .. await FabricPush.RunAsync(options.Quick),
        ];
    }

    private static async Task TimeEachAsync(Func<Task> call, int count, List<double> micros)
    {
        for (var i = 0; i < count; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await call();
            micros.Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds);
        }
    }

    /// <summary>Messages per second of a WatchEvents replay of <paramref name="tenants"/> objects.</summary>
    private static async Task<double> StreamRateAsync(FabricModel model, Contracts.Controller.ControllerClient api, int tenants)
    {
        for (var i = model.List(ResourceKinds.Tenants).Count; i < tenants; i++)
        {
            model.Create(ResourceKinds.Tenants, new Tenant { Name = $"t{i}" });
        }

        using var stop = new CancellationTokenSource();
        var received = 0;
        var start = Stopwatch.GetTimestamp();
        await foreach (var _ in api.WatchEvents(new WatchRequest { IncludeExisting = true }, cancellationToken: stop.Token).ReadAll())
        {
            if (++received == tenants)
            {
                break;
            }
        }

        return received / Stopwatch.GetElapsedTime(start).TotalSeconds;
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }
}
