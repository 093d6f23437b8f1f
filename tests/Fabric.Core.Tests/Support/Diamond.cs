using Sdn.Fabric.Core.Links;
using Sdn.Fabric.Core.Links.Liveness;
using Sdn.Fabric.Core.Lsr;

namespace Sdn.Fabric.Core.Tests.Support;

/// <summary>
/// Two test edges and three core nodes over in-memory links, each core on its own forwarding thread:
/// <code>
///            ┌── C2 ──┐      C2 swaps to E2's transport label
///   E1 ── C1           E2
///            └── C3 ──┘      C3 pops it (PHP)
/// </code>
/// LSPs from E1 to E2: label <see cref="EcmpLabel"/> spreads over both paths; label <see cref="ProtectedLabel"/>
/// takes C2 with C3 as the fast-reroute backup. E2 sees path C2 on uplink 0 and path C3 on uplink 1.
/// The links between cores run liveness on the cores' own threads; the edge links are trusted up, because the
/// test thread that drives the edges also sleeps and asserts (see <see cref="TestEdge"/>).
/// </summary>
internal sealed class Diamond : IDisposable
{
    public const uint EcmpLabel = 100;
    public const uint ProtectedLabel = 101;
    public const uint ServiceLabel = 5000;
    public const uint EgressTransportLabel = 1000;
    public const int ViaC2 = 0;
    public const int ViaC3 = 1;

    public Diamond(LivenessOptions liveness)
    {
        E1 = new TestEdge("e1", transportLabel: 900);
        E2 = new TestEdge("e2", EgressTransportLabel);
        C1 = new CoreSwitch("c1");
        C2 = new CoreSwitch("c2");
        C3 = new CoreSwitch("c3");

        E1.AddUplink(Connect("e1-c1", C1, liveness: null).Far);
        C2EndOfC1C2 = Connect("c1-c2", C1, liveness, C2).Far;
        Connect("c1-c3", C1, liveness, C3);
        E2.AddUplink(Connect("c2-e2", C2, liveness: null).Far);
        E2.AddUplink(Connect("c3-e2", C3, liveness: null).Far);

        // C1 ports: 0 = E1, 1 = C2, 2 = C3. C2 and C3 ports: 0 = C1, 1 = E2.
        C1.TryInstall(new Lfib(1, [
            new LabelRoute(EcmpLabel, LabelAction.Swap, [new LabelNextHop(1, 200), new LabelNextHop(2, 300)]),
            LabelRoute.Swap(ProtectedLabel, new LabelNextHop(1, 201), backup: new LabelNextHop(2, 301)),
        ]));
        C2.TryInstall(new Lfib(1, [
            LabelRoute.Swap(200, new LabelNextHop(1, EgressTransportLabel)),
            LabelRoute.Swap(201, new LabelNextHop(1, EgressTransportLabel)),
        ]));
        C3.TryInstall(new Lfib(1, [
            new LabelRoute(300, LabelAction.PenultimateHopPop, [new LabelNextHop(1, 0)]),
            new LabelRoute(301, LabelAction.PenultimateHopPop, [new LabelNextHop(1, 0)]),
        ]));

        C1.Start();
        C2.Start();
        C3.Start();
    }

    public TestEdge E1 { get; }

    public TestEdge E2 { get; }

    public CoreSwitch C1 { get; }

    public CoreSwitch C2 { get; }

    public CoreSwitch C3 { get; }

    /// <summary>
    /// C2's end of the C1–C2 link. Forcing it down cuts the link the way a fibre cut would as seen from C1:
    /// C1 may only learn of it from missing hellos.
    /// </summary>
    public LinkEnd C2EndOfC1C2 { get; }

    /// <summary>Polls the edges until every port in the diamond is up.</summary>
    public bool WaitUntilUp(TimeSpan timeout) => Poll.Until(
        () => new[] { C1, C2, C3 }.All(c => c.Ports.All(p => p.IsUp)),
        timeout,
        E1,
        E2);

    public void Dispose()
    {
        C1.Dispose();
        C2.Dispose();
        C3.Dispose();
        E1.Dispose();
        E2.Dispose();
    }

    /// <summary>
    /// Links <paramref name="node"/> to a core <paramref name="peer"/> (both get a port), or, without a peer,
    /// leaves the far end for an edge to take.
    /// </summary>
    private static (InMemoryLink Near, InMemoryLink Far) Connect(string name, CoreSwitch node, LivenessOptions? liveness, CoreSwitch? peer = null)
    {
        var (near, far) = InMemoryLink.CreatePair($"{name}@{node.Name}", $"{name}@{peer?.Name ?? "edge"}");
        node.AddPort(near, liveness);
        peer?.AddPort(far, liveness);
        return (near, far);
    }
}
