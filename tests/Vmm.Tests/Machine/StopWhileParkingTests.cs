using System.Net;
using Sdn.Vmm.Guests;
using Sdn.Vmm.Machine;

namespace Sdn.Vmm.Tests.Machine;

/// <summary>A stop or pause that lands as the guest parks must still reach it: nothing else would ever wake it.</summary>
public class StopWhileParkingTests
{
    private const int Rounds = 200;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [KvmFact]
    public void A_stop_sent_the_moment_the_guest_parks_ends_it()
    {
        var echo = MicroGuest.Build(GuestApp.Echo);
        using var contention = new CpuContention(); // a vCPU preempted between its last check and its wait widens the window
        for (var round = 0; round < Rounds; round++)
        {
            var vm = Boot(echo, round);
            var stop = Task.Run(() =>
            {
                SpinWait.SpinUntil(() => vm.Exits.Parks > 0, Patience);
                vm.Stop();
            });
            Assert.True(stop.Wait(2 * Patience), $"round {round}: Stop() still waits for the parked vCPU");
            vm.Dispose();
        }
    }

    [KvmFact]
    public void A_pause_sent_the_moment_the_guest_parks_pauses_it()
    {
        var echo = MicroGuest.Build(GuestApp.Echo);
        using var contention = new CpuContention();
        for (var round = 0; round < Rounds; round++)
        {
            var vm = BootAndCatchThePark(echo, round);
            vm.Pause();
            Assert.True(vm.WaitUntil(v => v.State == VmState.Paused, Patience), $"round {round}: {vm.State} after Pause()");
            vm.Resume();
            vm.Dispose();
        }
    }

    /// <summary>Boots an echo guest and returns as soon as its vCPU counts its first park, just before it waits.</summary>
    private static VirtualMachine BootAndCatchThePark(GuestImage echo, int round)
    {
        var vm = Boot(echo, round);
        Assert.True(SpinWait.SpinUntil(() => vm.Exits.Parks > 0 || vm.State != VmState.Running, Patience), $"round {round}: never parked");
        return vm;
    }

    private static VirtualMachine Boot(GuestImage echo, int round)
    {
        var vm = new VirtualMachine(new VmOptions { Name = $"parking{round}" });
        vm.AddNic(new NicInfo(NicInfo.LocalMac(4), IPAddress.Parse("10.0.0.4"), 24, IPAddress.Any));
        vm.Boot(echo, GuestApp.Echo, []);
        return vm;
    }
}
