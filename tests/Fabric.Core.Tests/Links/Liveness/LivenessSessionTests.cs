using System.Diagnostics;
using Sdn.Common.Packets;
using Sdn.Fabric.Core.Links;
using Sdn.Fabric.Core.Links.Liveness;

namespace Sdn.Fabric.Core.Tests.Links.Liveness;

/// <summary>
/// Two sessions over a real in-memory link, driven on a simulated clock in 1 ms steps, so every timing
/// bound is exact and independent of how busy the machine is.
/// </summary>
public class LivenessSessionTests
{
    private static readonly LivenessOptions TenMsTimesThree = new(TimeSpan.FromMilliseconds(10), 3);
    private static readonly long Millisecond = Stopwatch.Frequency / 1000;

    private readonly PacketBurst _scratch = new();
    private readonly LinkEnd _a;
    private readonly LinkEnd _b;
    private readonly LivenessSession _sessionA;
    private readonly LivenessSession _sessionB;
    private readonly List<LivenessStateChange> _changesA = [];
    private long _now = Stopwatch.Frequency;

    public LivenessSessionTests()
    {
        (_a, _b) = InMemoryLink.CreatePair("a", "b");
        _sessionA = new LivenessSession(_a, TenMsTimesThree);
        _sessionB = new LivenessSession(_b, TenMsTimesThree);
        _sessionA.StateChanged += (_, change) => _changesA.Add(change);
    }

    [Fact]
    public void Two_sessions_come_up_through_the_three_way_handshake()
    {
        Run(milliseconds: 30);

        Assert.True(_sessionA.IsUp);
        Assert.True(_sessionB.IsUp);
        var transitions = string.Join(" ", _changesA.Select(c => $"{c.Previous}->{c.Current}"));
        Assert.Contains(transitions, new[] { "Down->Init Init->Up", "Down->Up" });
    }

    [Fact]
    public void A_silent_peer_is_declared_down_within_multiplier_times_interval()
    {
        Run(milliseconds: 50);
        _b.IsForcedDown = true;
        var cutAt = _now;

        var elapsed = RunUntil(() => !_sessionA.IsUp, milliseconds: 100);

        Assert.InRange(elapsed, 20, 31);
        var last = _changesA[^1];
        Assert.Equal((LivenessState.Up, LivenessState.Down, LivenessDiagnostic.ControlDetectionTimeExpired), (last.Previous, last.Current, last.Diagnostic));
        Assert.Equal(cutAt + (elapsed * Millisecond), last.Timestamp);
    }

    [Fact]
    public void A_peer_that_stops_hearing_us_tells_us_and_we_go_down_at_once()
    {
        Run(milliseconds: 50);
        _b.Impair(new LinkImpairment(LossRate: 1));

        RunUntil(() => !_sessionA.IsUp, milliseconds: 100);

        Assert.Equal(LivenessDiagnostic.NeighborSignaledSessionDown, _changesA[^1].Diagnostic);
        Assert.Equal(LivenessState.Down, _sessionB.State);
    }

    [Fact]
    public void A_session_comes_back_up_when_the_link_heals()
    {
        Run(milliseconds: 50);
        _b.IsForcedDown = true;
        RunUntil(() => !_sessionA.IsUp, milliseconds: 100);
        _b.IsForcedDown = false;

        var elapsed = RunUntil(() => _sessionA.IsUp && _sessionB.IsUp, milliseconds: 100);

        Assert.InRange(elapsed, 1, 30);
    }

    [Fact]
    public void Hellos_for_another_session_or_malformed_are_rejected_without_a_state_change()
    {
        Run(milliseconds: 50);
        var accepted = _sessionA.HellosAccepted;
        var stranger = new byte[LivenessHello.Size];
        LivenessHello.Write(stranger, new BfdControlPacket(LivenessState.Down, 0, 3, 77, _sessionA.LocalDiscriminator + 1, 10_000, 10_000));
        var truncated = stranger[..20];
        var upWithoutDiscriminator = new byte[LivenessHello.Size];
        LivenessHello.Write(upWithoutDiscriminator, new BfdControlPacket(LivenessState.Up, 0, 3, 77, 0, 10_000, 10_000));

        foreach (var hello in new[] { stranger, truncated, upWithoutDiscriminator })
        {
            Assert.True(_b.SendHello(hello));
        }

        _a.Receive(_scratch, _now);

        Assert.Equal(3, _sessionA.HellosRejected);
        Assert.Equal(accepted, _sessionA.HellosAccepted);
        Assert.True(_sessionA.IsUp);
    }

    [Fact]
    public void Hellos_go_out_at_75_to_100_percent_of_the_interval()
    {
        Run(milliseconds: 1000);

        Assert.InRange(_a.Statistics.HellosSent, 100, 1000 / 7.5);
    }

    [Fact]
    public void Options_out_of_range_are_refused()
    {
        var (a, _) = InMemoryLink.CreatePair("x", "y");

        Assert.Throws<LinkException>(() => new LivenessSession(a, new LivenessOptions(TimeSpan.Zero, 3)));
        Assert.Throws<LinkException>(() => new LivenessSession(a, new LivenessOptions(TimeSpan.FromMilliseconds(10), 0)));
    }

    [Fact]
    public void A_second_session_on_one_link_is_refused()
    {
        Assert.Throws<LinkException>(() => new LivenessSession(_a, TenMsTimesThree));
    }

    private void Run(int milliseconds) => RunUntil(() => false, milliseconds);

    /// <summary>Advances the clock 1 ms at a time; returns the milliseconds it took for the condition to hold.</summary>
    private int RunUntil(Func<bool> condition, int milliseconds)
    {
        for (var elapsed = 1; elapsed <= milliseconds; elapsed++)
        {
            _now += Millisecond;
            _sessionA.Poll(_now);
            _sessionB.Poll(_now);
            _a.Receive(_scratch, _now);
            _b.Receive(_scratch, _now);
            if (condition())
            {
                return elapsed;
            }
        }

        return int.MaxValue;
    }
}
