using Sdn.Vmm.Guests;
using Sdn.Vmm.Machine;

namespace Sdn.Vmm.Tests.Guests;

public class PingEchoTests
{
    [KvmFact]
    public void Ping_resolves_the_echo_guest_and_gets_every_reply_with_an_rtt()
    {
        using var pair = new GuestPair();
        GuestPair.BootAndWaitUp(pair.Right, GuestApp.Echo, []);
        pair.Left.Boot(MicroGuest.Build(GuestApp.Ping), GuestApp.Ping, MicroGuest.PingParameters(GuestPair.RightIp, count: 5, intervalMicroseconds: 2000));

        Assert.True(pair.Left.WaitForExit(GuestPair.Timeout), pair.Left.Serial.Log);
        Assert.True(pair.Left.State == VmState.Exited, $"{pair.Left.Fault}\n{pair.Left.Serial.Log}");
        Assert.Equal(5ul, pair.Left.LastReport(ReportKey.PingReplies));
        var rtts = pair.Left.Reports.Where(r => r.Key == ReportKey.PingRttTicks).Select(r => r.Value).ToList();
        Assert.Equal(5, rtts.Count);
        Assert.All(rtts, ticks => Assert.InRange(ticks, 1ul, (ulong)pair.Left.TscHz)); // under a second each
        Assert.Contains("ping: reply seq=5 rtt_ticks=", pair.Left.Serial.Log, StringComparison.Ordinal);
        Assert.Equal(VmState.Running, pair.Right.State);
        Assert.True(pair.RightNic.Metrics.RxFrames >= 6 && pair.RightNic.Metrics.TxFrames >= 6); // ARP + 5 echoes each way
    }
}
