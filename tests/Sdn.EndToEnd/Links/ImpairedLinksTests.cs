using Grpc.Core;
using Sdn.Cli.Hosting;
using Sdn.Contracts;
using Sdn.Contracts.Rpc;
using Sdn.EndToEnd.Support;
using Sdn.Fabric.Core.Links;

namespace Sdn.EndToEnd.Links;

/// <summary>
/// A link's impairment, as `sdn ping` (the controller's Ping) sees it between two VMs across it: it meets the frames
/// arriving at the link's end a, so once per round trip.
/// </summary>
public sealed class ImpairedLinksTests
{
    [KvmFact]
    public async Task A_link_losing_a_fifth_of_its_frames_loses_a_fifth_of_10000_pings()
    {
        const int Pings = 10_000;
        await using var fabric = await TopologyRun.StartAsync(TwoVmsAcrossTheCore.Create(nearLink: "impairment: { loss: 0.2, seed: 15 }"));

        // 1 ms apart, the shortest interval Ping takes: 10,000 requests in about 10 s.
        var echoes = await PingAsync(fabric, Pings, intervalMs: 1);

        Assert.Equal(Pings, echoes.Count);
        var lost = echoes.Count(e => !e.Replied);
        Assert.True(lost is >= (int)(Pings * 0.14) and <= (int)(Pings * 0.26), $"{lost} of {Pings} lost; drops: {await fabric.DropsAsync()}");
    }

    [KvmFact]
    public async Task A_link_delaying_its_frames_20_ms_adds_20_to_30_ms_to_the_round_trip_of_the_same_path()
    {
        var delay = TimeSpan.FromMilliseconds(20);
        await using var fabric = await TopologyRun.StartAsync(TwoVmsAcrossTheCore.Create(nearLink: "impairment: { delay-ms: 20 }"));
        var impairedEnd = fabric.Nodes.Links.EndsOf("e1--c1")["e1"];

        // The same path with and without the delay, in turns, so that both meet the same load of a shared machine.
        var delayed = new List<double>();
        var unimpaired = new List<double>();
        for (var turn = 0; turn < 10; turn++)
        {
            delayed.AddRange(await RoundTripMillisecondsAsync(fabric));
            impairedEnd.Impair(null);
            unimpaired.AddRange(await RoundTripMillisecondsAsync(fabric));
            impairedEnd.Impair(new LinkImpairment(Delay: delay));
        }

        // On a loaded machine round trips have a long tail of scheduling stalls, tens of milliseconds that move the
        // median from run to run; their lower quartile is the path's own latency.
        var added = LowerQuartile(delayed) - LowerQuartile(unimpaired);
        Assert.True(added is >= 20 and <= 30, $"lower quartile of the round trips: {LowerQuartile(unimpaired):F3} ms unimpaired, {LowerQuartile(delayed):F3} ms delayed");
        Assert.True(delayed.Min() >= delay.TotalMilliseconds, $"a delayed round trip of {delayed.Min():F3} ms");
    }

    /// <summary>The round trips of 20 pings, 5 ms apart, every one answered.</summary>
    private static async Task<IEnumerable<double>> RoundTripMillisecondsAsync(EmbeddedFabric fabric)
    {
        var echoes = await PingAsync(fabric, count: 20, intervalMs: 5);

        Assert.All(echoes, echo => Assert.True(echo.Replied, $"request {echo.Sequence} was not answered"));
        return echoes.Select(e => e.RttNs / 1e6);
    }

    private static double LowerQuartile(List<double> values) => values.Order().ElementAt(values.Count / 4);

    /// <summary>Pings far from near; every request's outcome: answered, or not within a second of the last request.</summary>
    private static async Task<List<PingEcho>> PingAsync(EmbeddedFabric fabric, int count, int intervalMs)
    {
        using var channel = RpcChannels.ForAddress(fabric.Address);
        using var call = new Controller.ControllerClient(channel).Ping(new PingRequest
        {
            Source = TwoVmsAcrossTheCore.Near,
            Destination = TwoVmsAcrossTheCore.Far,
            Count = (uint)count,
            IntervalMs = (uint)intervalMs,
        });
        return await call.ResponseStream.ReadAllAsync().ToListAsync();
    }
}
