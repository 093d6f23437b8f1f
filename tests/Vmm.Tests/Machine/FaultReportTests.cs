using Sdn.Vmm.Guests;
using Sdn.Vmm.Machine;
using static Iced.Intel.AssemblerRegisters;

namespace Sdn.Vmm.Tests.Machine;

public class FaultReportTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [KvmFact]
    public void A_faulting_guest_is_stopped_with_registers_and_disassembly_and_other_vms_keep_running()
    {
        using var survivor = new VirtualMachine(new VmOptions { Name = "survivor" });
        survivor.Boot(PrintForever("alive"));
        Assert.True(survivor.WaitUntil(vm => vm.Serial.Lines.Count > 0, Timeout));

        var faulting = new GuestAssembler();
        faulting.Asm.mov(rax, 0x1234_5678ul);
        faulting.Asm.mov(rbx, 0x8000_0000_0000_0000ul); // non-canonical: #GP, no IDT, triple fault
        faulting.Asm.mov(__qword_ptr[rbx], rax);
        using var victim = new VirtualMachine(new VmOptions { Name = "victim" });
        victim.Boot(faulting.Build());

        Assert.True(victim.WaitForExit(Timeout));
        var fault = Assert.IsType<VmFaultReport>(victim.Fault);
        Assert.Equal(VmState.Faulted, victim.State);
        Assert.Equal(VmFaultReason.TripleFault, fault.Reason);
        Assert.Equal(0x1234_5678ul, fault.Registers.Rax);
        Assert.Contains(fault.Disassembly, line => line.StartsWith("=>", StringComparison.Ordinal) && line.Contains("mov [rbx],rax", StringComparison.Ordinal));
        Assert.Contains("rax=0000000012345678", fault.ToString(), StringComparison.Ordinal);

        var printed = survivor.Serial.Lines.Count;
        Assert.True(survivor.WaitUntil(vm => vm.Serial.Lines.Count > printed, Timeout));
        Assert.Equal(VmState.Running, survivor.State);
    }

    [KvmFact]
    public void The_watchdog_stops_a_spinning_guest_with_a_report()
    {
        var spinning = new GuestAssembler();
        var top = spinning.Asm.CreateLabel();
        spinning.Asm.Label(ref top);
        spinning.Asm.inc(rax);
        spinning.Asm.jmp(top);
        using var vm = new VirtualMachine(new VmOptions { Name = "spinner", RunawayBudget = TimeSpan.FromMilliseconds(200) });
        vm.Boot(spinning.Build());

        Assert.True(vm.WaitForExit(Timeout));
        var fault = Assert.IsType<VmFaultReport>(vm.Fault);
        Assert.Equal(VmFaultReason.Runaway, fault.Reason);
        Assert.NotEqual(0ul, fault.Registers.Rax);
        Assert.Contains(fault.Disassembly, line => line.StartsWith("=>", StringComparison.Ordinal));
    }

    [KvmFact]
    public void A_guest_that_outlives_its_time_limit_is_stopped_even_while_parked()
    {
        var idler = new GuestAssembler();
        var top = idler.Asm.CreateLabel();
        idler.Asm.Label(ref top);
        idler.Asm.xor(edi, edi);
        idler.Hypercall(2); // idle, no timeout
        idler.Asm.jmp(top);
        using var vm = new VirtualMachine(new VmOptions { Name = "idler", TimeLimit = TimeSpan.FromMilliseconds(300) });
        vm.Boot(idler.Build());

        Assert.True(vm.WaitForExit(Timeout));
        Assert.Equal(VmFaultReason.TimeLimit, Assert.IsType<VmFaultReport>(vm.Fault).Reason);
        Assert.True(vm.Exits.Parks >= 1);
    }

    [KvmFact]
    public void A_guest_can_be_paused_resumed_and_stopped()
    {
        using var vm = new VirtualMachine(new VmOptions { Name = "pausable" });
        vm.Boot(PrintForever("tick"));
        Assert.True(vm.WaitUntil(v => v.Serial.Lines.Count > 0, Timeout));

        vm.Pause();
        Assert.True(vm.WaitUntil(v => v.State == VmState.Paused, Timeout));
        var frozen = vm.Serial.Lines.Count;
        Thread.Sleep(50);
        Assert.Equal(frozen, vm.Serial.Lines.Count);

        vm.Resume();
        Assert.True(vm.WaitUntil(v => v.Serial.Lines.Count > frozen, Timeout));

        vm.Stop();
        Assert.Equal(VmState.Stopped, vm.State);
    }

    /// <summary>A guest that prints <paramref name="text"/> forever.</summary>
    internal static GuestImage PrintForever(string text)
    {
        var guest = new GuestAssembler();
        var top = guest.Asm.CreateLabel();
        guest.Asm.Label(ref top);
        guest.Print(text + "\n");
        guest.Asm.jmp(top);
        return guest.Build();
    }
}
