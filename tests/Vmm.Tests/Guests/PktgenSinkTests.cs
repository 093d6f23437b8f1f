using System.Diagnostics;
using Sdn.Vmm.Guests;
using Sdn.Vmm.Kvm;
using Sdn.Vmm.Machine;
using Xunit.Abstractions;

namespace Sdn.Vmm.Tests.Guests;

[Collection(ProcessWideMeasurements.Name)]
public class PktgenSinkTests(ITestOutputHelper output)
{
    [KvmFact]
    public void Pktgen_moves_a_million_frames_to_sink_without_loss()
    {
        const long Frames = 1_000_000;
        using var pair = new GuestPair();
        GuestPair.BootAndWaitUp(pair.Right, GuestApp.Sink, MicroGuest.SinkParameters(Frames));
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var started = Stopwatch.StartNew();
        pair.Left.Boot(MicroGuest.Build(GuestApp.Pktgen), GuestApp.Pktgen, MicroGuest.PktgenParameters(GuestPair.RightIp, pair.RightNic.Mac, 64, Frames));

        Assert.True(pair.Right.WaitForExit(TimeSpan.FromSeconds(90)), $"sink: {pair.Right.Serial.Log} rx={pair.RightNic.Metrics.RxFrames} pktgen: {pair.Left.Serial.Log}");
        Assert.True(pair.Left.WaitForExit(GuestPair.Timeout), pair.Left.Serial.Log);
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        output.WriteLine($"allocated {allocated} bytes in the whole process while moving the frames");
        output.WriteLine($"{Frames} frames in {started.ElapsedMilliseconds} ms; exits left={pair.Left.Exits.Total} right={pair.Right.Exits.Total} parks={pair.Left.Exits.Parks}/{pair.Right.Exits.Parks}");
        output.WriteLine(string.Join(", ", pair.Left.Exits.Snapshot()) + " | " + string.Join(", ", pair.Right.Exits.Snapshot()));
        foreach (var nic in new[] { pair.LeftNic, pair.RightNic })
        {
            var m = nic.Metrics;
            output.WriteLine($"wakeups={m.Wakeups} rxfull={m.RxRingFull} txbusy={m.TxBackendBusy} irq={m.Interrupts}");
        }

        Assert.Equal((ulong)Frames, pair.Left.LastReport(ReportKey.PktgenSent));
        Assert.Equal((ulong)Frames, pair.Right.LastReport(ReportKey.SinkReceived));
        Assert.Equal(0ul, pair.Right.LastReport(ReportKey.SinkLost));
        Assert.Equal(0ul, pair.Right.LastReport(ReportKey.SinkReordered));
        Assert.Equal(Frames, pair.LeftNic.Metrics.TxFrames);
        Assert.Equal(Frames, pair.RightNic.Metrics.RxFrames);
        Assert.Contains($"sink: received {Frames} lost 0", pair.Right.Serial.Lines);
        Assert.InRange(allocated, 0, 2L << 20); // a single 24-byte object per frame would be 24 MB
    }
}
