using Sdn.Common.Packets;

namespace Sdn.Benchmarks.Edge;

/// <summary>
/// Cache hits through the program the controller compiles for an edge (see <see cref="TenantFabric"/>): what port
/// security costs a port that has it, against one that has not; and what the tenant router costs a packet it
/// routes to another edge, against one bridged there. Each subject runs on a switch of its own, turn about with
/// its peer.
/// </summary>
internal sealed class EdgeL3Suite : IBenchmarkSuite
{
    private const int Flows = 4096;

    public string Name => "edge-l3";

    public string Description => "64-byte frames through a compiled edge program: port security on vs off, routed vs bridged, cache hits";

    public IReadOnlyList<KeyValuePair<string, double>> Run(BenchmarkOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var pairs = options.Quick ? 4 : 40;
        var pairWindow = TimeSpan.FromMilliseconds(50);
        var warmUp = options.Quick ? TimeSpan.FromMilliseconds(150) : TimeSpan.FromSeconds(1);

        var fabric = new TenantFabric();
        var bridged = new TenantEdgeFixture(fabric, TenantFabric.Secure, TenantFabric.Near, Flows);
        var unsecured = new TenantEdgeFixture(fabric, TenantFabric.Open, TenantFabric.Near, Flows);
        var routed = new TenantEdgeFixture(fabric, TenantFabric.Secure, TenantFabric.Far, Flows);
        TenantEdgeFixture[] fixtures = [bridged, unsecured, routed];
        foreach (var fixture in fixtures)
        {
            fixture.CheckPath();
        }

        var burst = new PacketBurst();
        var (secured, open) = Measurement.TurnAbout(pairs, warmUp, pairWindow, w => RunHits(bridged, burst, w), w => RunHits(unsecured, burst, w));
        var (routedHits, bridgedHits) = Measurement.TurnAbout(pairs, warmUp, pairWindow, w => RunHits(routed, burst, w), w => RunHits(bridged, burst, w));
        foreach (var fixture in fixtures)
        {
            fixture.CheckAllLeftByUplink();
        }

        return
        [
            new("port_security_on_mpps", secured.MedianMpps),
            new("port_security_off_mpps", open.MedianMpps),
            new("port_security_hit_ratio", secured.MedianMpps / open.MedianMpps),
            new("routed_mpps", routedHits.MedianMpps),
            new("bridged_mpps", bridgedHits.MedianMpps),
            new("routed_hit_ratio", routedHits.MedianMpps / bridgedHits.MedianMpps),
            new("routed_exact_hit_fraction", ExactHitFraction(routed)),
            new("bridged_exact_hit_fraction", ExactHitFraction(bridged)),
            .. GcFigures.InWindows("", secured, open, routedHits, bridgedHits),
        ];
    }

    private static Sample RunHits(TenantEdgeFixture fixture, PacketBurst burst, TimeSpan window) =>
        Sample.Measure(window, next => fixture.Send(burst, next));

    private static double ExactHitFraction(TenantEdgeFixture fixture)
    {
        var cache = fixture.Switch.Datapath.Cache;
        return (double)cache.ExactHits / (cache.ExactHits + cache.MegaflowHits + cache.Misses);
    }
}
