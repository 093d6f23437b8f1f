using System.Net;
using Iced.Intel;
using Sdn.Vmm.Devices.VirtioMmio;
using Sdn.Vmm.Guests;
using Sdn.Vmm.Machine;
using static Iced.Intel.AssemblerRegisters;

namespace Sdn.Vmm.Tests.Devices;

/// <summary>A guest that breaks its TX ring drives its NIC to NEEDS_RESET; the VMM, the VM and a reset driver carry on.</summary>
public class RingSafetyTests
{
    private const int TxDescriptorTable = (int)DriverLayout.Base + DriverLayout.TxDescriptors;
    private const int TxAvail = (int)DriverLayout.Base + DriverLayout.TxAvail;

    [KvmFact]
    public void A_descriptor_outside_guest_ram_puts_the_device_into_needs_reset()
    {
        RunBrokenGuest(a =>
        {
            a.mov(rax, 0x7FFF_0000_0000ul);
            a.mov(__qword_ptr[rbx], rax); // desc[0].addr far outside RAM
            a.mov(__dword_ptr[rbx + 8], 64);
        });
    }

    [KvmFact]
    public void A_descriptor_chain_that_loops_puts_the_device_into_needs_reset()
    {
        RunBrokenGuest(a =>
        {
            a.mov(__dword_ptr[rbx + 8], 64);
            a.mov(__word_ptr[rbx + 12], 1); // NEXT
            a.mov(__word_ptr[rbx + 14], 0); // ... pointing at itself
        });
    }

    [KvmFact]
    public void An_indirect_descriptor_that_was_not_negotiated_puts_the_device_into_needs_reset()
    {
        RunBrokenGuest(a =>
        {
            a.mov(__dword_ptr[rbx + 8], 64);
            a.mov(__word_ptr[rbx + 12], 4); // INDIRECT
        });
    }

    [KvmFact]
    public void A_device_writable_descriptor_on_the_tx_queue_puts_the_device_into_needs_reset()
    {
        RunBrokenGuest(a =>
        {
            a.mov(__dword_ptr[rbx + 8], 64);
            a.mov(__word_ptr[rbx + 12], 2); // WRITE
        });
    }

    [KvmFact]
    public void A_descriptor_longer_than_64_KiB_puts_the_device_into_needs_reset()
    {
        RunBrokenGuest(a => a.mov(__dword_ptr[rbx + 8], 0x20_0000)); // inside RAM, but no frame is 2 MiB
    }

    [KvmFact]
    public void An_avail_index_that_runs_ahead_of_the_ring_puts_the_device_into_needs_reset()
    {
        RunBrokenGuest(a => a.mov(__word_ptr[rbx + (TxAvail - TxDescriptorTable) + 2], 999), publish: false);
    }

    /// <summary>
    /// Boots a guest that brings NIC 0 up, corrupts its TX ring with <paramref name="corrupt"/> (RBX = descriptor table),
    /// publishes it, waits for NEEDS_RESET in the status register, then resets and re-initialises the device.
    /// </summary>
    private static void RunBrokenGuest(Action<Assembler> corrupt, bool publish = true)
    {
        var g = new GuestAssembler();
        var a = g.Asm;
        Label waitReset = a.CreateLabel(), parked = a.CreateLabel();
        a.mov(r13, GuestLayout.BootInfoAddress);
        var init = GuestNetDriver.Init(g);
        a.call(init);
        a.mov(rbx, TxDescriptorTable);
        corrupt(a);
        if (publish)
        {
            a.mov(__word_ptr[rbx + (TxAvail - TxDescriptorTable) + 4], 0); // avail.ring[0] = descriptor 0
            a.mov(__word_ptr[rbx + (TxAvail - TxDescriptorTable) + 2], 1); // avail.idx = 1
        }

        a.mov(__dword_ptr[r14 + 0x50], 1); // QueueNotify(TX)
        a.Label(ref waitReset);
        a.mov(eax, __dword_ptr[r14 + 0x70]);
        a.test(eax, (int)VirtioStatus.NeedsReset);
        a.jz(waitReset);
        g.Print("guest: device needs reset\n");
        a.call(init); // reset (status 0) and bring it up again
        g.Print("guest: device back up\n");
        a.Label(ref parked);
        a.xor(edi, edi);
        g.Hypercall(2);
        a.jmp(parked);

        using var vm = new VirtualMachine(new VmOptions { Name = "broken" });
        var nic = vm.AddNic(new NicInfo(NicInfo.LocalMac(9), IPAddress.Parse("10.0.0.9"), 24, IPAddress.Any));
        vm.Boot(g.Build());

        Assert.True(vm.WaitUntil(v => v.Serial.Lines.Contains("guest: device back up") || v.State != VmState.Running, TimeSpan.FromSeconds(20)), vm.Serial.Log);
        Assert.True(vm.State == VmState.Running, $"{vm.State} {vm.Fault} {vm.Serial.Log} {string.Join(",", vm.Reports)}");
        Assert.Equal(["guest: device needs reset", "guest: device back up"], vm.Serial.Lines);
        Assert.Equal(1, nic.Metrics.RingViolations);
        Assert.Equal(1, vm.NicNeedsResetCount(0));
        Assert.Equal(VirtioStatus.Acknowledge | VirtioStatus.Driver | VirtioStatus.FeaturesOk | VirtioStatus.DriverOk, vm.NicStatus(0));
        Assert.True(nic.IsActive);
    }
}
