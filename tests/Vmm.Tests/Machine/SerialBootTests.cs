using Sdn.Vmm.Guests;
using Sdn.Vmm.Machine;

namespace Sdn.Vmm.Tests.Machine;

public class SerialBootTests
{
    [KvmFact]
    public void A_micro_guest_at_cpl3_prints_to_serial_and_exits()
    {
        var guest = new GuestAssembler();
        guest.Print("hello from cpl3\n");
        guest.Exit(7);

        using var vm = new VirtualMachine(new VmOptions { Name = "hello" });
        var streamed = new List<string>();
        using var subscription = vm.Serial.Subscribe(line =>
        {
            lock (streamed)
            {
                streamed.Add(line);
            }
        });
        vm.Boot(guest.Build());

        Assert.True(vm.WaitForExit(TimeSpan.FromSeconds(10)), vm.Fault?.ToString() ?? vm.State.ToString());
        Assert.True(vm.State == VmState.Exited, vm.Fault?.ToString());
        Assert.Equal(7ul, vm.ExitCode);
        Assert.Equal(["hello from cpl3"], vm.Serial.Lines);
        Assert.Equal("hello from cpl3\n", vm.Serial.Log);
        lock (streamed)
        {
            Assert.Equal(["hello from cpl3"], streamed);
        }
    }
}
