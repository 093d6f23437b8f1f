using System.Buffers.Binary;
using System.Net;
using Iced.Intel;
using Sdn.Common.Packets;
using Sdn.Vmm.Devices.VirtioMmio;
using Sdn.Vmm.Guests;
using Sdn.Vmm.Machine;
using static Iced.Intel.AssemblerRegisters;
using Reg = Sdn.Vmm.Devices.VirtioMmio.VirtioMmioRegister;

namespace Sdn.Vmm.Tests.Devices;

/// <summary>A guest reads and drives the virtio-mmio registers; the host checks what it saw.</summary>
public class VirtioMmioTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    private enum Seen : ulong
    {
        Magic = 0x100,
        Version,
        DeviceId,
        QueueNumMax,
        ConfigMacAndStatus,
        ConfigMtu,
        StatusWithoutVersion1,
        Generation,
        InterruptAfterReceive,
        InterruptAfterAck,
        InterruptAfterLinkDown,
        GenerationAfterLinkDown,
        ConfigStatusAfterLinkDown,
    }

    [KvmFact]
    public void A_driver_sees_the_registers_negotiates_features_and_gets_used_buffer_and_config_interrupts()
    {
        using var vm = new VirtualMachine(new VmOptions { Name = "mmio" });
        var nic = vm.AddNic(new NicInfo(NicInfo.LocalMac(0x42), IPAddress.Parse("10.0.0.42"), 24, IPAddress.Any), mtu: 1400);
        vm.Boot(RegisterProbe());

        Assert.True(vm.WaitUntil(v => v.Serial.Lines.Contains("ready") || v.State != VmState.Running, Timeout), $"{vm.Fault} {vm.Serial.Log}");
        var burst = new PacketBurst();
        burst.TryAppend(new byte[60]);
        Assert.Equal(1, nic.DeliverToGuest(burst, 0));
        Assert.True(vm.WaitUntil(v => v.LastReport((ReportKey)Seen.InterruptAfterAck) is not null || v.State != VmState.Running, Timeout), $"{vm.Fault} {vm.Serial.Log}");
        nic.SetLinkUp(false);
        Assert.True(vm.WaitForExit(Timeout), vm.Serial.Log);

        ulong Report(Seen key) => vm.LastReport((ReportKey)key) ?? throw new InvalidOperationException($"no {key}: {vm.Fault} {vm.Serial.Log}");
        Assert.Equal(Reg.Magic, Report(Seen.Magic));
        Assert.Equal(2ul, Report(Seen.Version));
        Assert.Equal(1ul, Report(Seen.DeviceId));
        Assert.Equal(1024ul, Report(Seen.QueueNumMax));
        Assert.Equal(BinaryPrimitives.ReadUInt64LittleEndian([.. NicInfo.LocalMac(0x42), 1, 0]), Report(Seen.ConfigMacAndStatus)); // MAC, then status = link up
        Assert.Equal(1400ul, Report(Seen.ConfigMtu));
        Assert.Equal((ulong)(VirtioStatus.Acknowledge | VirtioStatus.Driver), Report(Seen.StatusWithoutVersion1)); // FEATURES_OK refused
        Assert.Equal(0ul, Report(Seen.Generation));
        Assert.Equal((ulong)Reg.InterruptUsedBuffer, Report(Seen.InterruptAfterReceive));
        Assert.Equal(0ul, Report(Seen.InterruptAfterAck));
        Assert.Equal((ulong)Reg.InterruptConfigChange, Report(Seen.InterruptAfterLinkDown));
        Assert.Equal(1ul, Report(Seen.GenerationAfterLinkDown));
        Assert.Equal(0ul, Report(Seen.ConfigStatusAfterLinkDown));
        Assert.Equal(1, nic.Metrics.Interrupts);
        Assert.Equal(1, nic.Metrics.RxFrames);
        Assert.False(nic.IsLinkUp);
    }

    private static GuestImage RegisterProbe()
    {
        var g = new GuestAssembler();
        var a = g.Asm;
        a.mov(r13, GuestLayout.BootInfoAddress);
        a.mov(r14, GuestLayout.VirtioMmioBase);
        ReportRegister(g, Seen.Magic, Reg.MagicValue);
        ReportRegister(g, Seen.Version, Reg.Version);
        ReportRegister(g, Seen.DeviceId, Reg.DeviceId);
        a.mov(__dword_ptr[r14 + (int)Reg.QueueSel], 0);
        ReportRegister(g, Seen.QueueNumMax, Reg.QueueNumMax);
        a.mov(rsi, __qword_ptr[r14 + (int)Reg.Config]);
        g.Report((ReportKey)Seen.ConfigMacAndStatus, rsi);
        a.movzx(esi, __word_ptr[r14 + (int)Reg.Config + 10]);
        g.Report((ReportKey)Seen.ConfigMtu, rsi);

        // A driver that does not accept VERSION_1 must not get FEATURES_OK.
        foreach (var status in new[] { 0, 1, 3 })
        {
            a.mov(__dword_ptr[r14 + (int)Reg.Status], status);
        }

        a.mov(__dword_ptr[r14 + (int)Reg.DriverFeaturesSel], 0);
        a.mov(__dword_ptr[r14 + (int)Reg.DriverFeatures], 1 << 5);
        a.mov(__dword_ptr[r14 + (int)Reg.Status], 0xB);
        ReportRegister(g, Seen.StatusWithoutVersion1, Reg.Status);

        // The real driver, then ask for an interrupt on the next used RX buffer (used_event = 0).
        a.call(GuestNetDriver.Init(g));
        a.mov(__word_ptr[r15 + DriverLayout.RxAvail + DriverLayout.UsedEvent], 0);
        ReportRegister(g, Seen.Generation, Reg.ConfigGeneration);
        g.Print("ready\n");
        AwaitInterrupt(g, Seen.InterruptAfterReceive);
        a.mov(__dword_ptr[r14 + (int)Reg.InterruptAck], esi);
        ReportRegister(g, Seen.InterruptAfterAck, Reg.InterruptStatus);
        AwaitInterrupt(g, Seen.InterruptAfterLinkDown);
        ReportRegister(g, Seen.GenerationAfterLinkDown, Reg.ConfigGeneration);
        a.movzx(esi, __word_ptr[r14 + (int)Reg.Config + 6]);
        g.Report((ReportKey)Seen.ConfigStatusAfterLinkDown, rsi);
        g.Exit(0);
        return g.Build();
    }

    private static void ReportRegister(GuestAssembler g, Seen key, ulong register)
    {
        g.Asm.mov(esi, __dword_ptr[r14 + (int)register]);
        g.Report((ReportKey)key, rsi);
    }

    /// <summary>Parks until InterruptStatus is non-zero, then reports it (left in ESI).</summary>
    private static void AwaitInterrupt(GuestAssembler g, Seen key)
    {
        var a = g.Asm;
        Label wait = a.CreateLabel(), raised = a.CreateLabel();
        a.Label(ref wait);
        a.mov(esi, __dword_ptr[r14 + (int)Reg.InterruptStatus]);
        a.test(esi, esi);
        a.jnz(raised);
        a.mov(edi, 1000);
        g.Hypercall(2);
        a.jmp(wait);
        a.Label(ref raised);
        a.mov(r12, rsi);
        g.Report((ReportKey)key, rsi);
        a.mov(rsi, r12);
    }
}
