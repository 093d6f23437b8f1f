using System.Net;
using Sdn.Vmm.Guests;
using Sdn.Vmm.Machine;
using Sdn.Vmm.Tests.Guests;

namespace Sdn.Vmm.Tests.Machine;

/// <summary>
/// vCPUs share the scheduler's threads, and a busy guest keeps one while it runs: guests that never park must not
/// starve one that was just made ready, however many of them there are.
/// </summary>
[Collection(ProcessWideMeasurements.Name)]
public class VcpuSchedulerTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [KvmFact]
    public void An_echo_guest_comes_up_while_more_guests_spin_than_an_enqueue_starts_threads_for()
    {
        var spinners = new List<VirtualMachine>();
        try
        {
            var spin = SpinningImage();
            for (var i = 0; i <= 2 * Environment.ProcessorCount; i++)
            {
                var spinner = new VirtualMachine(new VmOptions { Name = $"spin{i}", RunawayBudget = TimeSpan.FromMinutes(5) });
                spinners.Add(spinner);
                spinner.Boot(spin);
                Assert.True(spinner.WaitUntil(v => v.Serial.Lines.Contains("spinning") || v.State != VmState.Running, Patience), $"spin{i}: {spinner.State} {spinner.Fault}");
            }

            using var echo = new VirtualMachine(new VmOptions { Name = "starving" });
            echo.AddNic(new NicInfo(NicInfo.LocalMac(9), IPAddress.Parse("10.0.0.9"), 24, IPAddress.Any));
            echo.Boot(MicroGuest.Build(GuestApp.Echo), GuestApp.Echo, []);

            Assert.True(echo.WaitUntil(v => v.Serial.Lines.Contains("echo: up") || v.State != VmState.Running, Patience), $"{echo.State} {echo.Fault} {echo.Serial.Log}");
            Assert.Equal(VmState.Running, echo.State);
            Assert.All(spinners, s => Assert.Equal(VmState.Running, s.State));
        }
        finally
        {
            spinners.ForEach(s => s.Dispose()); // a stop kicks a spinning guest out of KVM_RUN
        }
    }

    /// <summary>A guest that says it is spinning, then spins with no exit until stopped.</summary>
    private static GuestImage SpinningImage()
    {
        var guest = new GuestAssembler();
        guest.Print("spinning\n");
        var loop = guest.Asm.CreateLabel();
        guest.Asm.Label(ref loop);
        guest.Asm.pause();
        guest.Asm.jmp(loop);
        return guest.Build();
    }
}
