using Microsoft.Extensions.Time.Testing;
using Sdn.Fabric.Edge.Pipeline;
using Sdn.Fabric.Edge.Tests.Support;

namespace Sdn.Fabric.Edge.Tests.Pipeline;

public class TimeoutTests
{
    private readonly FakeTimeProvider _clock = new();
    private readonly EdgeSwitch _switch;

    public TimeoutTests() => _switch = new EdgeSwitch(2, _clock);

    [Fact]
    public void A_hard_timeout_removes_the_entry_however_busy_it_is()
    {
        Install(idle: TimeSpan.Zero, hard: TimeSpan.FromSeconds(10));
        _clock.Advance(TimeSpan.FromSeconds(9));
        HitOnce();
        AssertSurvives(TimeSpan.Zero);

        Assert.Equal(1, AssertRemovedAfter(TimeSpan.FromSeconds(1), FlowRemovedReason.HardTimeout).Packets);
    }

    [Fact]
    public void An_idle_timeout_counts_from_the_last_packet()
    {
        Install(idle: TimeSpan.FromSeconds(5), hard: TimeSpan.Zero);
        _clock.Advance(TimeSpan.FromSeconds(4));
        HitOnce();
        AssertSurvives(TimeSpan.FromSeconds(4));

        AssertRemovedAfter(TimeSpan.FromSeconds(1), FlowRemovedReason.IdleTimeout);
    }

    [Fact]
    public void An_expired_entry_no_longer_decides_even_for_cached_packets()
    {
        Install(idle: TimeSpan.FromSeconds(1), hard: TimeSpan.Zero);
        Assert.Equal([2u], Flows.Outputs(_switch.Datapath.Classify(Keys.Udp(1, 1, 2))));
        _clock.Advance(TimeSpan.FromSeconds(2));
        _switch.Pipeline.ExpireFlows();
        Assert.Empty(Flows.Outputs(_switch.Datapath.Classify(Keys.Udp(1, 1, 2))));
    }

    private void Install(TimeSpan idle, TimeSpan hard) =>
        _switch.Pipeline.Apply(FlowEdit.Add(0, 10, FlowMatch.Any.InPort(1), FlowInstructions.Apply(PipelineAction.Output(2))) with
        {
            IdleTimeout = idle,
            HardTimeout = hard,
            Flags = FlowEditOptions.SendFlowRemoved,
        });

    private void AssertSurvives(TimeSpan after)
    {
        _clock.Advance(after);
        _switch.Pipeline.ExpireFlows();
        Assert.Equal(2, _switch.Pipeline.Tables[0].Count);
        Assert.False(_switch.Pipeline.TryTakeFlowRemoved(out _));
    }

    private FlowRemoved AssertRemovedAfter(TimeSpan after, FlowRemovedReason reason)
    {
        _clock.Advance(after);
        _switch.Pipeline.ExpireFlows();
        Assert.Equal(1, _switch.Pipeline.Tables[0].Count);
        Assert.True(_switch.Pipeline.TryTakeFlowRemoved(out var removed));
        Assert.Equal(reason, removed.Reason);
        return removed;
    }

    private void HitOnce()
    {
        foreach (var counters in _switch.Datapath.Classify(Keys.Udp(1, 1, 2)).Counters)
        {
            counters.Count(60, _clock.GetTimestamp());
        }
    }
}
